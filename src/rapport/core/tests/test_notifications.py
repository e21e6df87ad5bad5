"""The notification centre's service: in the recipient's language, once per key, e-mailed once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from rapport.core.models import Notification, OutboxMessage
from rapport.core.notifications import (
    Notice,
    notifications_mark_read,
    notify,
    notify_many,
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


@pytest.mark.django_db(transaction=True)
def test_a_batch_tells_each_user_once_in_their_language_and_e_mails_after_the_commit(settings):
    from conftest import build_world

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    rep, head, teammate = world.user("rep"), world.user("head"), world.user("teammate")
    rep.language, head.language = "ru", "lv"
    rep.save(update_fields=["language"])
    head.save(update_fields=["language"])
    notices = [
        Notice(users=[rep, head], kind="reminder", title=gettext_lazy("Not found."), key="k-1"),
        # The same key again in the same batch (a task in two lists): told once.
        Notice(users=[rep, None], kind="reminder", title="Again", key="k-1", email=True),
        Notice(
            users=[teammate, head],
            kind="reminder",
            title=lambda user: f"For {user.username}",
            body=gettext_lazy("Not found."),
            url="/tasks/2/",
            key="k-2",
            email=True,
        ),
        Notice(users=[rep, rep], kind="handoff", title="Without a key"),
    ]
    with transaction.atomic():
        made = notify_many(notices)
        assert OutboxMessage.objects.count() == 0  # e-mails wait for the commit
    told = sorted((n.user.username, n.key, n.title, n.body) for n in made)
    assert told == [
        ("head", "k-1", "Nav atrasts.", ""),
        ("head", "k-2", "For head", "Nav atrasts."),
        ("rep", "", "Without a key", ""),
        ("rep", "k-1", "Не найдено.", ""),
        ("teammate", "k-2", "For teammate", "Not found."),
    ]
    # One e-mail per notification that asked for one, each in its reader's language.
    mails = {m.to: m for m in OutboxMessage.objects.all()}
    assert sorted(mails) == ["head@example.com", "teammate@example.com"]
    assert "Šis ziņojums ir arī Rapport paziņojumu centrā." in mails["head@example.com"].body
    assert "/tasks/2/" in mails["teammate@example.com"].body
    # The same batch again (another worker, a retried task): nobody is told or e-mailed twice.
    assert notify_many(notices[:3]) == []
    assert Notification.objects.count() == 5 and OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_rolled_back_tells_nobody_and_e_mails_nobody(settings):
    from conftest import build_world

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    rep = world.user("rep")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_many([Notice(users=[rep], kind="reminder", title="T", key="k", email=True)])
        raise RuntimeError("the claim failed")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    # Nothing was used up: the next run tells and e-mails.
    assert len(notify(users=[rep], kind="reminder", title="T", key="k", email=True)) == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_costs_the_same_few_queries_whatever_its_size(
    world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    people = [world.user(role) for role in ("rep", "teammate", "head", "director")]
    notices = [
        Notice(users=people, kind="reminder", title=f"Task {i}", key=f"task-{i}", email=True)
        for i in range(20)
    ]
    # Who was told before, the INSERT, the rows read back (and, after the commit, one job for
    # all the e-mails), not a few queries per notification.
    with django_assert_max_num_queries(3):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            made = notify_many(notices)
    assert len(made) == 80 and len(callbacks) == 1
