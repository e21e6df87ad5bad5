"""The notification centre: the bell's badge (cheap, polled), its menu, the page, opening a
notification (marks it read) and marking all read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rapport.core.models import Notification
from rapport.core.notifications import notify

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _tell(user, title, url="/tasks/", **kwargs):
    return notify(users=[user], kind="reminder", title=title, url=url, **kwargs)[0]


def test_every_page_has_the_bell_and_its_badge_counts_the_unread_cheaply(world):
    rep = world.user("rep")
    client = _client(rep)
    home = client.get("/").content.decode()
    assert 'id="notification-bell"' in home and 'hx-trigger="load, every 30s"' in home
    badge = reverse("activities:notification_badge")
    assert client.get(badge).content.decode().strip() == ""  # nothing unread: no badge
    for i in range(3):
        _tell(rep, f"Reminder {i}")
    _tell(world.user("teammate"), "Not the rep's")
    client.get(badge)
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(badge).content.decode()
    assert 'id="notification-count">3<' in answer
    # The session, the user and one COUNT on the partial index of the unread.
    counted = [q["sql"] for q in ctx.captured_queries if "core_notification" in q["sql"]]
    assert len(counted) == 1 and "COUNT" in counted[0].upper()
    assert len(ctx.captured_queries) <= 3
    # Signed out, the polling page is told to stop (htmx stops on 286), not sent to sign in.
    signed_out = Client().get(badge)
    assert signed_out.status_code == 286 and signed_out.content == b""


def test_the_menu_and_page_list_the_newest_first_and_opening_one_marks_it_read(world):
    rep = world.user("rep")
    first = _tell(rep, "Oldest reminder")
    _tell(rep, "Newest reminder", url="https://evil.example.com/")
    client = _client(rep)
    menu = client.get(reverse("activities:notification_menu")).content.decode()
    assert menu.index("Newest reminder") < menu.index("Oldest reminder")
    assert "Mark all read" in menu
    page = client.get(reverse("activities:notification_list")).content.decode()
    assert page.index("Newest reminder") < page.index("Oldest reminder")
    response = client.get(reverse("activities:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    assert Notification.objects.get(pk=first.pk).read_at is not None
    unread = client.get(reverse("activities:notification_list") + "?unread=1").content.decode()
    assert "Newest reminder" in unread and "Oldest reminder" not in unread
    # A link out of the site is not followed: the notification centre instead.
    newest = Notification.objects.get(title="Newest reminder")
    response = client.get(reverse("activities:notification_open", args=[newest.pk]))
    assert response["Location"] == reverse("activities:notification_list")
    # Someone else's notification does not exist for you (a director included).
    other = _tell(world.user("teammate"), "Private")
    for role in ("rep", "director", "admin"):
        opened = _client(world.user(role)).get(
            reverse("activities:notification_open", args=[other.pk])
        )
        assert opened.status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_all_read_and_the_pages_of_a_long_list(world):
    rep = world.user("rep")
    for i in range(35):
        _tell(rep, f"Note number {i:02d}")
    _tell(world.user("teammate"), "Teammate's note")
    client = _client(rep)
    page = client.get(reverse("activities:notification_list")).content.decode()
    assert "Note number 34" in page and "Note number 00" not in page and "Page 1 of 2" in page
    second = client.get(reverse("activities:notification_list") + "?page=2").content.decode()
    assert "Note number 00" in second
    response = client.post(reverse("activities:notification_read_all"), {"next": "/tasks/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    assert not Notification.objects.filter(user=rep, read_at__isnull=True).exists()
    assert Notification.objects.get(title="Teammate's note").read_at is None
    # The read-only auditor may mark their own notifications read too.
    _tell(world.user("auditor"), "For the auditor")
    _client(world.user("auditor")).post(reverse("activities:notification_read_all"))
    assert Notification.objects.get(title="For the auditor").read_at is not None
