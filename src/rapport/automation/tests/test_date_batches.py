"""Date rules that only create tasks and notify run a claimed chunk as one: the tasks and
notifications of its runs are written together, yet each run keeps its own outcome (a run that
cannot be done fails alone, with the reason it would have had on its own, and leaves nothing)."""

from __future__ import annotations

import datetime

import pytest

from rapport.accounts.models import Department
from rapport.activities.models import Task
from rapport.automation.chain import current_chain
from rapport.automation.choices import RunStatus
from rapport.automation.models import RuleRun
from rapport.automation.services import dates
from rapport.automation.tests.helpers import save_rule
from rapport.contacts.services import person_create
from rapport.core import events
from rapport.core.models import ChangeRecord, Notification

TODAY = datetime.date(2026, 5, 10)
BIRTHDAY = datetime.date(1980, 5, 11)
TASK = {"type": "create_task", "title": "Congratulate {{ first_name }}", "assignee": "owner"}
NOTIFY = {"type": "notify", "recipient": "owner", "title": "Birthday of {{ first_name }}"}


def _rule(admin, actions):
    return save_rule(
        admin,
        name="Birthdays",
        record_type="contacts.person",
        trigger="date_approaching",
        trigger_field="birthday",
        days_before=3,
        actions=actions,
    )


def _person(actor, first):
    return person_create(actor=actor, first_name=first, last_name="Tester", birthday=BIRTHDAY)


def test_a_chunk_writes_every_runs_task_and_notification(
    world, admin, django_capture_on_commit_callbacks
):
    rule = _rule(admin, [TASK, NOTIFY])
    rep, teammate = world.users["rep"], world.users["teammate"]
    teammate.language = "ru"
    teammate.save(update_fields=["language"])
    people = [_person(rep if i % 2 else teammate, f"P{i}") for i in range(30)]
    dates.scan_date_rules(TODAY)
    chains = []

    def handler(event):
        chains.append(current_chain())

    events.subscribe("task.created", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert dates.run_pending(today=TODAY) == {"done": 30, "dropped": 0, "batches": 1}
    finally:
        events.unsubscribe("task.created", handler)
    tasks = {t.object_id: t for t in Task.objects.all()}
    assert sorted(tasks) == sorted(p.pk for p in people)
    for person in people:
        task = tasks[person.pk]
        assert task.title == f"Congratulate {person.first_name}"
        assert task.assignee_id == person.owner_id and task.author == admin
    runs = RuleRun.objects.filter(rule=rule)
    assert {r.status for r in runs} == {RunStatus.DONE}
    for run in runs:
        task = tasks[run.object_id]
        assert run.actions_done[0]["detail"] == (
            f"Task “{task.title}” for {task.assignee} (#{task.pk})."
        )
        assert run.actions_done[1]["action"] == "notify" and run.actions_done[1]["done"]
    # One notification per run, to the owner, keyed by the run.
    notes = Notification.objects.filter(key__startswith="automation:")
    assert sorted(notes.values_list("key", flat=True)) == sorted(
        f"automation:{run.pk}:1" for run in runs
    )
    assert notes.filter(user=teammate).count() == 15
    # The change log has each task's creation under its person, by the rule's author.
    changes = ChangeRecord.objects.filter(content_type__model="task", action="create")
    assert changes.count() == 30 and {c.actor_id for c in changes} == {admin.pk}
    assert {c.parent_object_id for c in changes} == {p.pk for p in people}
    # The tasks' events carry the rule (a rule set off by them knows the chain that led there).
    assert chains == [(rule.pk,)] * 30


def test_a_run_that_cannot_be_done_fails_alone_and_leaves_nothing(world, admin):
    head = world.users["head"]
    to_head = {**TASK, "assignee": "user", "user": head.pk, "title": "Card for {{ first_name }}"}
    rule = _rule(admin, [to_head, NOTIFY, TASK])
    rep, teammate = world.users["rep"], world.users["teammate"]
    fine = [_person(rep, f"Fine{i}") for i in range(3)]
    orphan = _person(teammate, "Orphan")
    teammate.is_active = False
    teammate.save(update_fields=["is_active"])
    dates.scan_date_rules(TODAY)
    assert dates.run_pending(today=TODAY)["done"] == 4
    failed = RuleRun.objects.get(object_id=orphan.pk)
    assert failed.status == RunStatus.FAILED
    assert failed.message == "The record has no active owner to give the task to."
    assert failed.actions_done == []
    # Its first task (to the head) and its notification went with it.
    assert not Task.objects.filter(object_id=orphan.pk).exists()
    assert not Notification.objects.filter(key__startswith=f"automation:{failed.pk}:").exists()
    assert Task.objects.filter(object_id__in=[p.pk for p in fine]).count() == 6
    assert Notification.objects.filter(key__startswith="automation:").count() == 3
    assert RuleRun.objects.filter(status=RunStatus.DONE).count() == 3
    rule.refresh_from_db()
    assert (rule.runs_count, rule.failures_count) == (4, 1)


def test_tasks_refused_when_written_fail_their_runs_with_the_reason(world, admin):
    logistics = Department.objects.create(name="Logistics")
    clerk = world.users["support"]
    clerk.department, clerk.team = logistics, None
    clerk.save(update_fields=["department", "team"])
    queue = {**TASK, "assignee": "department", "department": logistics.pk}
    _rule(admin, [NOTIFY, queue])
    for i in range(3):
        _person(world.users["rep"], f"Q{i}")
    clerk.is_active = False  # the queue has nobody left when the rule runs
    clerk.save(update_fields=["is_active"])
    dates.scan_date_rules(TODAY)
    assert dates.run_pending(today=TODAY)["done"] == 3
    runs = RuleRun.objects.all()
    assert {r.status for r in runs} == {RunStatus.FAILED}
    assert {r.message for r in runs} == {
        "department: This department has no members: nobody would see the task."
    }
    assert not Task.objects.exists()
    assert not Notification.objects.filter(key__startswith="automation:").exists()


@pytest.mark.parametrize("batch", [1, 7])
def test_chunks_of_any_size_give_the_same_outcome(world, admin, monkeypatch, batch):
    monkeypatch.setattr(dates, "BATCH", batch)
    _rule(admin, [TASK, NOTIFY])
    for i in range(9):
        _person(world.users["rep"], f"C{i}")
    dates.scan_date_rules(TODAY)
    assert dates.run_pending(today=TODAY)["done"] == 9
    assert Task.objects.count() == 9
    assert Notification.objects.filter(key__startswith="automation:").count() == 9
