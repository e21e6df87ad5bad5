"""Many tasks at once: each checked as one task is (the same errors), written in a few statements
with their change log, their events after the commit; a refused item leaves nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create, tasks_build, tasks_create_many
from rapport.core import events
from rapport.core.changelog import history_for
from rapport.core.errors import NotFound, ValidationError
from rapport.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def soon(hours=2):
    return timezone.now() + datetime.timedelta(hours=hours)


def counts():
    return Task.objects.count(), ChangeRecord.objects.count()


@pytest.fixture
def created_events():
    seen = []

    def handler(event):
        seen.append(event)

    events.subscribe("task.created", handler)
    yield seen
    events.unsubscribe("task.created", handler)


def test_many_tasks_are_written_with_their_change_log_and_events_after_the_commit(
    world, created_events, django_capture_on_commit_callbacks
):
    rep, teammate = world.user("rep"), world.user("teammate")
    person, company = world.people["own"], world.companies["own"]
    with django_capture_on_commit_callbacks(execute=True):
        tasks = tasks_create_many(
            actor=rep,
            items=[
                {"title": " Call   back ", "assignee": rep, "record": person, "due_at": soon()},
                {"title": "Visit", "assignee": teammate, "company": company, "priority": 3},
                {"title": "Prepare", "department": world.teams["a"].department},
            ],
        )
        assert created_events == []  # not before the commit
    assert [t.title for t in tasks] == ["Call back", "Visit", "Prepare"]
    assert all(t.pk for t in tasks) and Task.objects.count() == 3
    first, second, third = (Task.objects.get(pk=t.pk) for t in tasks)
    assert (first.content_type.model, first.object_id, first.person_id) == (
        "person",
        person.pk,
        person.pk,
    )
    assert (second.company, second.team, second.author) == (company, world.teams["a"], rep)
    assert third.department == world.teams["a"].department and third.assignee is None
    # Each task's creation is in the change log, under its record or customer.
    changes = {c.object_id: c for c in ChangeRecord.objects.filter(content_type__model="task")}
    assert changes[first.pk].parent_object_id == person.pk
    assert changes[first.pk].after["title"] == "Call back"
    assert changes[second.pk].parent_object_id == company.pk
    assert changes[third.pk].parent_object_id is None
    assert changes[second.pk] in list(history_for([company]))
    assert sorted(e.payload["id"] for e in created_events) == sorted(t.pk for t in tasks)


def test_each_item_gets_the_error_task_create_gives_it(world):
    rep, outsider = world.user("rep"), world.user("outsider")
    outsider.is_active = False
    outsider.save(update_fields=["is_active"])
    empty = Department.objects.create(name="Logistics")
    items = [
        {"title": "Fine", "assignee": rep},
        {"title": "Gone", "assignee": outsider},
        {"title": "Nobody", "department": empty},
        {"title": "Spy", "assignee": rep, "record": world.companies["foreign"]},
        {"title": "Late", "assignee": rep, "due_at": timezone.now() - datetime.timedelta(days=1)},
        {"title": "", "assignee": rep},
        {"title": "List", "assignee": rep, "checklist": "not a list"},
        {"title": "Nobody at all"},
    ]
    before = counts()
    built = tasks_build(actor=rep, items=items)
    assert isinstance(built[0], Task) and built[0].pk is None
    for item, result in zip(items[1:], built[1:], strict=True):
        with pytest.raises(type(result)) as caught:
            task_create(actor=rep, **item)
        assert type(result) is type(caught.value)
        if isinstance(result, ValidationError):
            assert result.message_dict == caught.value.message_dict
    assert isinstance(built[3], NotFound)
    assert set(built[1].message_dict) == {"assignee"}
    assert set(built[2].message_dict) == {"department"}
    # All or nothing: the first refused item's error, and nothing written.
    with pytest.raises(ValidationError) as caught:
        tasks_create_many(actor=rep, items=items)
    assert set(caught.value.message_dict) == {"assignee"}
    assert counts() == before


def test_a_past_due_time_is_allowed_only_when_asked_for(world):
    rep = world.user("rep")
    late = {"title": "Late", "assignee": rep, "due_at": timezone.now() - datetime.timedelta(1)}
    assert isinstance(tasks_build(actor=rep, items=[late])[0], ValidationError)
    [task] = tasks_create_many(actor=rep, items=[late], allow_past_due=True)
    assert Task.objects.get(pk=task.pk).is_overdue()


def test_a_read_only_actor_writes_nothing(world):
    before = counts()
    with pytest.raises(NotFound):
        tasks_create_many(
            actor=world.user("auditor"), items=[{"title": "x", "assignee": world.user("rep")}]
        )
    assert counts() == before


def test_many_tasks_cost_the_queries_of_a_few(world, django_assert_max_num_queries):
    rep = world.user("rep")
    people = [world.people["own"], world.people["team"]]
    items = [
        {"title": f"Call {i}", "assignee": rep, "record": people[i % 2], "due_at": soon()}
        for i in range(40)
    ]
    # Who sees the records, the assignees still active, the INSERT, the tasks still in view,
    # the records for the change log, its INSERT (and the savepoint): not a dozen per task.
    with django_assert_max_num_queries(9):
        tasks = tasks_create_many(actor=rep, items=items)
    assert len(tasks) == 40 and ChangeRecord.objects.filter(action="create").count() >= 40
