"""Reminders and overdue prompts: claimed once whatever the number of workers, told in the
assignee's language, in the app and by e-mail over real SMTP; run every minute by the scheduler."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import formats, timezone, translation
from django_tasks_db.models import DBTaskResult

from conftest import build_world
from rapport.activities import tasks as periodic
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create, task_set_status, task_update
from rapport.core import schedule
from rapport.core.models import Notification, OutboxMessage


def _in(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def _due_reminder(world, title="Call the buyer", *, user="rep", **fields):
    """A task whose reminder is due now (it was set an hour ago)."""
    actor = world.user(user)
    fields.setdefault("assignee", actor)
    task = task_create(actor=actor, title=title, due_at=_in(30), remind_at=_in(10), **fields)
    Task.objects.filter(pk=task.pk).update(remind_at=_in(-1))
    return Task.objects.get(pk=task.pk)


def _when(moment, language):
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@pytest.fixture
def outbox(settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}


@pytest.mark.django_db
def test_a_due_reminder_is_told_once_in_the_assignees_language(
    world, outbox, django_capture_on_commit_callbacks
):
    rep, teammate = world.user("rep"), world.user("teammate")
    teammate.language = "ru"
    teammate.save(update_fields=["language"])
    mine = _due_reminder(world, company=world.companies["own"])
    theirs = _due_reminder(world, "Позвонить", user="teammate")
    not_yet = task_create(actor=rep, title="Later", assignee=rep, due_at=_in(90), remind_at=_in(60))
    with django_capture_on_commit_callbacks(execute=True):
        claimed = periodic.claim_task_reminders()
    assert sorted(claimed) == sorted([mine.pk, theirs.pk])
    note = Notification.objects.get(user=rep)
    assert note.title == f"Reminder: Call the buyer is due at {_when(mine.due_at, 'en')}"
    assert note.kind == "reminder" and note.url == mine.get_absolute_url()
    assert "Own Customer SIA" in note.body
    assert note.key == f"task-reminder-{mine.pk}-{mine.remind_at.isoformat()}"
    # The teammate reads it in Russian: the time in Russian form (the words once translated).
    russian = Notification.objects.get(user=teammate).title
    assert _when(theirs.due_at, "ru") in russian and _when(theirs.due_at, "ru") != _when(
        theirs.due_at, "en"
    )
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == [
        "rep@example.com",
        "teammate@example.com",
    ]
    assert Task.objects.get(pk=mine.pk).reminded_at is not None
    assert Task.objects.get(pk=not_yet.pk).reminded_at is None
    # A second run (another worker, the next minute) finds nothing left to do.
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.claim_task_reminders() == []
        assert periodic.remind_due_tasks() == 0
    assert Notification.objects.count() == 2 and OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_closed_tasks_are_not_reminded_and_queue_tasks_remind_the_queue(
    world, outbox, django_capture_on_commit_callbacks
):
    rep = world.user("rep")
    done = _due_reminder(world, "Already done")
    task_set_status(actor=rep, task=done, status="done")
    queued = _due_reminder(
        world,
        "For marketing",
        department=world.teams["m"].department,
        assignee=None,
        record=world.companies["own"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(periodic.claim_task_reminders()) == sorted([done.pk, queued.pk])
    told = sorted(Notification.objects.values_list("user__username", "title"))
    assert [user for user, _title in told] == ["marketer", "support"]
    assert all(title.startswith("Reminder: For marketing") for _user, title in told)
    # Marketing does not see the customer the task is about: its name is not in the message.
    assert not Notification.objects.filter(body__contains="Own Customer SIA").exists()
    # The done task's reminder is used up: reopened, it is not reminded of the old time.
    assert Task.objects.get(pk=done.pk).reminded_at is not None
    # A new reminder time is a new reminder.
    task = task_update(actor=rep, task=Task.objects.get(pk=done.pk), remind_at=_in(5))
    task_set_status(actor=rep, task=task, status="open")
    Task.objects.filter(pk=task.pk).update(remind_at=_in(-0.5))
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.claim_task_reminders() == [task.pk]
    assert Notification.objects.filter(user=rep).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_reminder_arrives_by_e_mail_over_smtp(smtp_server):
    world = build_world()
    task = _due_reminder(world, "Send the contract")
    assert periodic.remind_due_tasks() == 1
    assert periodic.remind_due_tasks() == 0
    assert [m.rcpt_tos for m in smtp_server.messages] == [["rep@example.com"]]
    content = smtp_server.messages[0].content.decode()
    assert "Reminder: Send the contract is due at" in content
    assert task.get_absolute_url() in content
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_remind_of_the_same_task_twice(settings):
    """Workers claim batches at the same time (truly in parallel on PostgreSQL, whose
    SKIP LOCKED leaves each the rows the other has not locked; one after the other on SQLite)."""
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    world = build_world()
    rep = world.user("rep")
    for i in range(60):
        task_create(actor=rep, title=f"T{i}", assignee=rep, due_at=_in(30), remind_at=_in(10))
    Task.objects.update(remind_at=_in(-1))
    parallel = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if parallel else 1)
    claimed: dict[int, list[int]] = {0: [], 1: []}
    errors = []

    def worker(number):
        try:
            barrier.wait(timeout=10)
            while True:
                batch = periodic.claim_task_reminders(batch=5)
                claimed[number].extend(batch)
                if not batch:
                    break
        except Exception as exc:  # noqa: BLE001  (reported by the test below)
            errors.append(exc)
        finally:
            if parallel:  # a thread's own connection (on SQLite the test's, kept open)
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
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)) == 60
    if parallel:
        assert claimed[0] and claimed[1]  # both took part
    assert Notification.objects.count() == 60 and OutboxMessage.objects.count() == 60


@pytest.mark.django_db
def test_overdue_prompts_once_per_task_and_due_time(world, outbox):
    rep = world.user("rep")
    late = task_create(
        actor=rep, title="Late call", assignee=rep, due_at=_in(-30), allow_past_due=True
    )
    task_create(
        actor=rep, title="Ancient", assignee=rep, due_at=_in(-3 * 24 * 60), allow_past_due=True
    )
    done = task_create(
        actor=rep, title="Done late", assignee=rep, due_at=_in(-20), allow_past_due=True
    )
    task_set_status(actor=rep, task=done, status="done")
    task_create(
        actor=rep,
        title="Queued late",
        department=world.teams["a"].department,
        due_at=_in(-10),
        allow_past_due=True,
    )
    task_create(actor=rep, title="Not yet", assignee=rep, due_at=_in(10))
    assert periodic.prompt_overdue_tasks() == 1
    note = Notification.objects.get()
    assert note.title == f"Overdue: Late call was due at {_when(late.due_at, 'en')}"
    assert note.user == rep and note.email_wanted
    assert periodic.prompt_overdue_tasks() == 0
    assert periodic.prompt_overdue_tasks(batch=1) == 0  # batch after batch, nothing new
    # Given a new due time that passes too, it is a new prompt.
    Task.objects.filter(pk=late.pk).update(due_at=_in(-5))
    assert periodic.prompt_overdue_tasks(batch=1) == 1
    assert Notification.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_runs_the_reminders_every_minute(settings, run_tasks):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    entries = {e.name: e for e in schedule.discover()}
    reminders = entries["rapport.activities.tasks.send_reminders"]
    assert reminders.every == datetime.timedelta(seconds=60)
    assert entries["rapport.activities.tasks.send_follow_up_prompts"].daily_at == datetime.time(8)
    world = build_world()
    task = _due_reminder(world, "Ring back")
    DBTaskResult.objects.all().delete()
    periodic.send_reminders.enqueue()
    run_tasks()
    result = DBTaskResult.objects.get(task_path="rapport.activities.tasks.send_reminders")
    assert (result.status, result.return_value) == ("SUCCESSFUL", 1)
    assert Notification.objects.get().url == task.get_absolute_url()
    assert OutboxMessage.objects.get().to == "rep@example.com"


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_reminds_of_meetings_and_escalates_overdue_handoffs(settings, run_tasks):
    from rapport.activities.models import Handoff, Meeting
    from rapport.activities.services.meetings import meeting_create
    from rapport.activities.tests.test_handoffs_services import logistics, rep_task, send

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    entries = {e.name: e for e in schedule.discover()}
    assert entries["rapport.activities.tasks.escalate_handoffs"].every == datetime.timedelta(
        seconds=60
    )
    world = build_world()
    rep = world.user("rep")
    meeting = meeting_create(
        actor=rep,
        title="Quarterly review",
        starts_at=_in(60),
        ends_at=_in(120),
        remind_at=_in(30),
        users=[world.user("teammate")],
    )
    Meeting.objects.filter(pk=meeting.pk).update(remind_at=_in(-1))
    dept = logistics()
    handoff = send(world, dept, task=rep_task(world, title="Deliver the pump"))
    Handoff.objects.filter(pk=handoff.pk).update(deadline=_in(-60))
    DBTaskResult.objects.all().delete()
    periodic.send_reminders.enqueue()
    periodic.escalate_handoffs.enqueue()
    run_tasks()
    results = dict(DBTaskResult.objects.values_list("task_path", "return_value"))
    assert results == {
        "rapport.activities.tasks.send_reminders": 1,
        "rapport.activities.tasks.escalate_handoffs": 1,
    }
    reminded = Notification.objects.filter(url=meeting.get_absolute_url(), kind="reminder")
    assert sorted(n.user.username for n in reminded) == ["rep", "teammate"]
    assert Meeting.objects.get(pk=meeting.pk).reminded_at is not None
    escalated = Handoff.objects.get(pk=handoff.pk)
    assert escalated.escalated_at is not None and escalated.escalated_to == dept.head
    assert Notification.objects.filter(user=dept.head, key=f"handoff-{handoff.pk}-escalated")
