"""The notification centre's service: in the recipient's language, once per key, e-mailed once."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from rapport.core.models import Notification, OutboxMessage
from rapport.core.notifications import (
    notifications_mark_read,
    notify,
    send_notification_emails,
    unread_count,
)


@pytest.mark.django_db(transaction=True)
def test_each_user_is_told_in_their_language_once_per_key_and_e_mailed_once(settings):
    from conftest import build_world

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    rep, head = world.user("rep"), world.user("head")
    rep.language, head.language = "ru", "lv"
    rep.save(update_fields=["language"])
    head.save(update_fields=["language"])

    made = notify(
        users=[rep, head],
        kind="reminder",
        title=gettext_lazy("Not found."),
        body=lambda user: f"{user.username}",
        url="/tasks/1/",
        key="task-1-reminder",
        email=True,
    )
    assert sorted(n.title for n in made) == ["Nav atrasts.", "Не найдено."]
    assert OutboxMessage.objects.count() == 2  # sent after the commit (autocommit here)
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == [
        "head@example.com",
        "rep@example.com",
    ]
    # The same reminder again (a second worker, a retried task): nobody is told twice.
    assert notify(users=[rep, head], kind="reminder", title="Task", key="task-1-reminder") == []
    assert send_notification_emails([n.pk for n in made]) == 0
    assert Notification.objects.count() == 2 and OutboxMessage.objects.count() == 2
    assert unread_count(rep) == 1


@pytest.mark.django_db
def test_only_the_recipient_sees_and_reads_a_notification(world):
    rep, director = world.user("rep"), world.user("director")
    [note] = notify(users=[rep], kind="handoff", title="Take over the delivery")
    assert list(Notification.objects.restrict(director)) == []  # not even a director
    assert notifications_mark_read(actor=director, ids=[note.pk]) == 0
    assert notifications_mark_read(actor=rep) == 1
    assert unread_count(rep) == 0
