"""Reminders and overdue prompts by the batch: each user told once per task, in their language,
in the app and by one e-mail over real SMTP; two workers at once never tell anyone twice."""

from __future__ import annotations

import datetime
import email
import email.policy
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import formats, timezone, translation

from conftest import build_world
from rapport.activities import tasks as periodic
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create
from rapport.core.models import Notification, OutboxMessage

LANGUAGES = {"rep": "en", "teammate": "ru", "head": "lv"}
FOOTERS = {
    "en": "This message is also in your notification centre in Rapport.",
    "ru": "Это сообщение есть и в центре уведомлений Rapport.",
    "lv": "Šis ziņojums ir arī Rapport paziņojumu centrā.",
}


def _in(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def _when(moment, language):
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _speakers(world):
    for username, language in LANGUAGES.items():
        user = world.user(username)
        user.language = language
        user.save(update_fields=["language"])
    return [world.user(username) for username in LANGUAGES]


def _read(envelope):
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return envelope.rcpt_tos[0], str(message["Subject"]), message.get_content()


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_due_reminders_tells_each_user_once_by_e_mail_in_their_language(smtp_server):
    world = build_world()
    people = _speakers(world)
    tasks = {}
    for user in people:
        for i in range(4):
            task = task_create(
                actor=user, title=f"Call {i}", assignee=user, due_at=_in(60), remind_at=_in(10)
            )
            tasks[task.pk] = user
    Task.objects.update(remind_at=_in(-1))
    assert periodic.remind_due_tasks(batch=5) == 12  # batches of five: 5, 5, 2
    assert periodic.remind_due_tasks() == 0
    # One notification per task, to its assignee, in the assignee's language.
    told = Counter(Notification.objects.values_list("user_id", "key"))
    assert sorted(told.values()) == [1] * 12
    assert {key for _user, key in told} == {
        f"task-reminder-{pk}-{Task.objects.get(pk=pk).remind_at.isoformat()}" for pk in tasks
    }
    for note in Notification.objects.select_related("user"):
        task = Task.objects.get(pk=int(note.key.split("-")[2]))
        assert note.user == tasks[task.pk]
        assert _when(task.due_at, note.user.language) in note.title
    # One e-mail per notification, over SMTP, in the reader's language.
    mails = [_read(envelope) for envelope in smtp_server.messages]
    assert Counter(to for to, _subject, _body in mails) == {
        "rep@example.com": 4,
        "teammate@example.com": 4,
        "head@example.com": 4,
    }
    for to, subject, body in mails:
        user = next(u for u in people if u.email == to)
        assert FOOTERS[user.language] in body
        assert subject in set(
            Notification.objects.filter(user=user).values_list("title", flat=True)
        )
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 12
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_batch_of_reminders_costs_the_same_queries_as_one(
    world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    rep = world.user("rep")
    for i in range(30):
        task_create(actor=rep, title=f"T{i}", assignee=rep, due_at=_in(60), remind_at=_in(10))
    Task.objects.update(remind_at=_in(-1))
    # The claim, its mark, who sees what the tasks are about, who was told before, the INSERT,
    # the rows read back: not a few queries per task.
    with django_assert_max_num_queries(8):
        with django_capture_on_commit_callbacks(execute=False):
            assert len(periodic.claim_task_reminders(batch=50)) == 30
    assert Notification.objects.count() == 30


def _two_workers(work) -> dict[int, int]:
    """Run ``work()`` in two threads at once on PostgreSQL (each its own connection), one after
    the other on SQLite (whose in-memory test database has one connection)."""
    parallel = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if parallel else 1)
    done: dict[int, int] = {}
    errors = []

    def worker(number):
        try:
            barrier.wait(timeout=10)
            done[number] = work()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            if parallel:
                connection.close()

    if parallel:
        threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        worker(0)
        worker(1)
    assert not errors, errors
    return done


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_prompt_about_the_same_overdue_task_twice(settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    people = _speakers(world)
    for i in range(60):
        user = people[i % 3]
        task_create(actor=user, title=f"Late {i}", assignee=user, due_at=_in(30))
    Task.objects.update(due_at=_in(-30))
    done = _two_workers(lambda: periodic.prompt_overdue_tasks(batch=4))
    assert sum(done.values()) == 60
    if connection.vendor == "postgresql":
        assert all(done.values())  # both took part
    keys = list(Notification.objects.values_list("user_id", "key"))
    assert len(keys) == len(set(keys)) == 60
    assert OutboxMessage.objects.count() == 60
    overdue = {"en": "Overdue: Late ", "ru": "Просрочено: срок задачи «Late ", "lv": "Kavēts: "}
    for note in Notification.objects.select_related("user"):
        assert note.title.startswith(overdue[note.user.language])  # in each one's language


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_e_mail_twice(settings):
    """The e-mails of a batch claimed by two senders at once (a retried job beside the first)."""
    from rapport.core.notifications import Notice, notify_many, send_notification_emails

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    people = _speakers(world)
    made = notify_many(
        Notice(users=people, kind="reminder", title=f"N{i}", key=f"n-{i}", email=True)
        for i in range(40)
    )  # autocommit: e-mailed at once
    assert OutboxMessage.objects.count() == 120
    Notification.objects.update(emailed_at=None)
    OutboxMessage.objects.all().delete()
    ids = [note.pk for note in made]
    done = _two_workers(lambda: send_notification_emails(ids))
    assert sum(done.values()) == 120
    assert Counter(OutboxMessage.objects.values_list("to", "subject")).most_common(1)[0][1] == 1
