"""Tasks: who may see and change them, their moves, the checklist, bad input left unwritten."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.activities.models import Task
from rapport.activities.services.tasks import (
    task_check_item,
    task_create,
    task_set_status,
    task_take,
    task_update,
)
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def soon(hours=2):
    return timezone.now() + datetime.timedelta(hours=hours)


def counts():
    return Task.objects.count(), ChangeRecord.objects.count()


def test_a_task_on_a_customer_is_seen_by_whoever_sees_the_customer(world):
    rep, teammate, outsider = world.user("rep"), world.user("teammate"), world.user("outsider")
    task = task_create(
        actor=rep,
        title="  Call back   about the offer ",
        assignee=rep,
        company=world.companies["own"],
        due_at=soon(),
        checklist=["Prepare prices", {"text": "Check stock", "done": True}],
    )
    assert task.title == "Call back about the offer"
    assert task.team == world.teams["a"] and task.author == rep
    assert task.checklist == [
        {"text": "Prepare prices", "done": False},
        {"text": "Check stock", "done": True},
    ]
    assert list(Task.objects.restrict(teammate)) == [task]  # sees the customer (team)
    assert list(Task.objects.restrict(world.user("head"))) == [task]
    assert list(Task.objects.restrict(outsider)) == []
    # The team shares its tasks; someone who does not see the customer does not see its task.
    assert list(Task.objects.restrict(teammate, "change")) == [task]
    assert list(Task.objects.restrict(world.user("marketer"))) == []
    history = ChangeRecord.objects.get(
        content_type__model="task", object_id=task.pk, action="create"
    )
    assert history.parent_object_id == world.companies["own"].pk


def test_a_task_on_a_record_takes_the_records_customer(world):
    from rapport.contacts.models import Person

    rep = world.user("rep")
    person = Person.objects.get(pk=world.people["own"].pk)
    task = task_create(actor=rep, title="Congratulate", assignee=rep, record=person)
    assert (task.person_id, task.company_id) == (person.pk, None)
    assert task.content_type.model == "person" and task.object_id == person.pk


def test_a_record_one_may_not_see_cannot_get_a_task(world):
    before = counts()
    with pytest.raises(NotFound):
        task_create(
            actor=world.user("rep"),
            title="Spy",
            assignee=world.user("rep"),
            record=world.companies["foreign"],
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"due_at": timezone.now() - datetime.timedelta(days=1)}, "due_at"),
        ({"remind_at": timezone.now() - datetime.timedelta(hours=1)}, "remind_at"),
        ({"due_at": soon(1), "remind_at": soon(3)}, "remind_at"),
        ({"checklist": [{"text": "   "}]}, "checklist"),
        ({"checklist": "not a list"}, "checklist"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, fields, field):
    before = counts()
    arguments = {"title": "Send the contract", **fields}
    with pytest.raises(ValidationError) as caught:
        task_create(actor=world.user("rep"), assignee=world.user("rep"), **arguments)
    assert field in caught.value.message_dict
    assert counts() == before


def test_a_queue_of_a_department_without_members_is_refused(world):
    empty = Department.objects.create(name="Logistics")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        task_create(actor=world.user("rep"), title="Deliver", department=empty)
    assert "no members" in str(caught.value.message_dict["department"])
    assert counts() == before


def test_a_queued_task_is_taken_by_one_member_only(world):
    marketing = world.teams["m"].department
    task = task_create(actor=world.user("rep"), title="Prepare a mailing", department=marketing)
    assert list(Task.objects.restrict(world.user("support"))) == [task]
    taken = task_take(actor=world.user("marketer"), task=task)
    assert taken.assignee == world.user("marketer")
    with pytest.raises(DomainError) as caught:
        task_take(actor=world.user("support"), task=task)
    assert caught.value.code == "taken"
    assert Task.objects.get().assignee == world.user("marketer")


def test_moves_along_the_allowed_states_only(world):
    rep = world.user("rep")
    task = task_create(actor=rep, title="Visit", assignee=rep, due_at=soon())
    task = task_set_status(actor=rep, task=task, status="done")
    assert task.completed_by == rep and task.completed_at is not None
    with pytest.raises(DomainError) as caught:
        task_set_status(actor=rep, task=task, status="cancelled")
    assert caught.value.code == "invalid_move"
    task = task_set_status(actor=rep, task=task, status="open")
    assert task.completed_at is None
    # Another team's rep cannot touch it: it does not exist for them.
    with pytest.raises(NotFound):
        task_set_status(actor=world.user("outsider"), task=task, status="done")


def test_ticking_the_checklist_and_editing_keep_a_past_due_time(world):
    rep = world.user("rep")
    task = task_create(actor=rep, title="Ship", assignee=rep, checklist=["Pack", "Label"])
    task = task_check_item(actor=rep, task=task, index=1, done=True)
    assert [item["done"] for item in task.checklist] == [False, True]
    # An overdue task can still be renamed without its (past) due time being refused.
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - datetime.timedelta(days=2))
    task = task_update(actor=rep, task=Task.objects.get(pk=task.pk), title="Ship today")
    assert task.title == "Ship today" and task.is_overdue()
