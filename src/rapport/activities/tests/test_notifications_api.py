"""The notification centre in the API: your notifications only, newest first, marked read."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.accounts.services import token_create
from rapport.core.models import Notification
from rapport.core.notifications import notify

pytestmark = pytest.mark.django_db


def _tell(user, title):
    return notify(users=[user], kind="reminder", title=title, url="/tasks/")[0]


def test_notifications_in_the_api(world):
    rep = world.user("rep")
    older = _tell(rep, "Older")
    newer = _tell(rep, "Newer")
    other = _tell(world.user("teammate"), "Not yours")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(actor=rep, name='t')[1]}")
    listed = client.get("/api/v1/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["Newer", "Older"]
    assert listed["results"][0]["is_read"] is False
    read = client.post(f"/api/v1/notifications/{older.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    unread = client.get("/api/v1/notifications/?unread=true").json()
    assert [n["id"] for n in unread["results"]] == [newer.pk]
    assert client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=other.pk).read_at is None
    auditor = Client(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=world.user('auditor'), name='t')[1]}"
    )
    mine = _tell(world.user("auditor"), "Audit note")
    assert auditor.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 200
