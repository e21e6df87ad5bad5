"""Hand-offs between departments: sending, acknowledging, returning, closing when the task is
done, handing on; bad input refused with nothing written. The helpers here are shared by the
other hand-off tests."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.db.models import Max
from django.utils import timezone

from rapport.accounts.choices import DepartmentKind, Role
from rapport.accounts.models import Department, Team
from rapport.accounts.services import user_create
from rapport.activities.choices import HandoffStatus, TaskStatus
from rapport.activities.models import Handoff, Task
from rapport.activities.services.handoffs import (
    handoff_acknowledge,
    handoff_complete,
    handoff_return,
    handoff_send,
)
from rapport.activities.services.tasks import (
    task_create,
    task_set_status,
    task_take,
    task_update,
)
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord, Notification

pytestmark = pytest.mark.django_db


# Shared helpers ---------------------------------------------------------------------------------
def later(hours=24):
    return timezone.now() + datetime.timedelta(hours=hours)


def make_user(username, role, *, department=None, team=None, language=""):
    return user_create(
        actor=None,
        username=username,
        password="Test-pass-123!",
        first_name=username.capitalize(),
        last_name="Tester",
        email=f"{username}@example.com",
        role=role,
        team=team,
        department=department or (team.department if team else None),
        language=language,
    )


def logistics(*, head=True, name="Logistics"):
    """A receiving department: a Russian-speaking clerk in its team and (optionally) a
    Latvian-speaking head."""
    department = Department.objects.create(name=name, kind=DepartmentKind.OTHER)
    team = Team.objects.create(name=f"{name} team", department=department)
    slug = name.lower()
    clerk = make_user(f"{slug}.clerk", Role.SUPPORT, team=team, language="ru")
    boss = (
        make_user(f"{slug}.head", Role.HEAD, department=department, language="lv") if head else None
    )
    return SimpleNamespace(department=department, team=team, clerk=clerk, head=boss)


def rep_task(world, title="Deliver the pump", **fields):
    rep = world.user("rep")
    fields.setdefault("company", world.companies["own"])
    return task_create(actor=rep, title=title, assignee=rep, due_at=later(72), **fields)


def send(world, to, task=None, **fields):
    fields.setdefault("deadline", later(24))
    return handoff_send(
        actor=fields.pop("actor", world.user("rep")),
        task=task or rep_task(world),
        to_department=to.department,
        note=fields.pop("note", "Two pallets, ramp at gate 3."),
        **fields,
    )


def fingerprint():
    """What a refused hand-off step must leave exactly as it was."""
    return (
        Handoff.objects.count(),
        Task.objects.count(),
        ChangeRecord.objects.count(),
        Notification.objects.count(),
        Handoff.objects.aggregate(x=Max("updated_at"))["x"],
        Task.objects.aggregate(x=Max("updated_at"))["x"],
    )


def notified(user, key_part: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, key__contains=key_part))


# Sending ----------------------------------------------------------------------------------------
def test_sending_moves_the_task_to_the_queue_and_tells_the_members(world):
    dept = logistics()
    rep = world.user("rep")
    task = rep_task(world)
    deadline = later(30)
    handoff = send(world, dept, task=task, deadline=deadline)

    task.refresh_from_db()
    assert (task.assignee, task.department, task.team) == (None, dept.department, None)
    assert handoff.status == HandoffStatus.SENT
    assert (handoff.from_user, handoff.from_department) == (rep, world.teams["a"].department)
    assert handoff.note == "Two pallets, ramp at gate 3."
    # Both members hear of it, each in their own language (the date format shows it).
    clerk_note = Notification.objects.get(user=dept.clerk, key=f"handoff-{handoff.pk}-sent")
    head_note = Notification.objects.get(user=dept.head, key=f"handoff-{handoff.pk}-sent")
    assert "Deliver the pump" in clerk_note.title and "Logistics" in clerk_note.title
    local = timezone.localtime(deadline)
    assert local.strftime("%d.%m.%Y") in clerk_note.body  # Russian date format
    assert local.strftime("%d.%m.%Y") in head_note.body  # Latvian date format
    assert "Two pallets" in clerk_note.body
    assert clerk_note.url == f"/handoffs/{handoff.pk}/"
    assert not Notification.objects.filter(user=rep).exists()
    # The receiving side now sees (and may take) the task; the sender still sees the hand-off.
    assert Task.objects.restrict(dept.clerk, "change").filter(pk=task.pk).exists()
    assert Handoff.objects.restrict(rep).filter(pk=handoff.pk).exists()
    # The customer's history shows the task leaving and the hand-off itself.
    company = world.companies["own"]
    changes = ChangeRecord.objects.filter(parent_object_id=company.pk)
    made = changes.get(content_type__model="handoff", action="create")
    assert made.object_id == handoff.pk and made.after["to_department"] == "Logistics"
    moved = changes.filter(content_type__model="task", object_id=task.pk, action="update").get()
    assert (moved.before["assignee"], moved.after["department"]) == (str(rep), "Logistics")


def test_the_sender_keeps_seeing_the_task_they_handed_over_but_no_longer_changes_it(world):
    """A task given to the rep by the head, about no customer: after the hand-off it is neither
    the rep's nor their team's, yet nothing handed over disappears from the sender's view: the
    rep still reads the task (and the hand-off) while the receiving department works on it."""
    dept = logistics()
    rep, teammate = world.user("rep"), world.user("teammate")
    task = task_create(actor=world.user("head"), title="Ship the samples", assignee=rep)
    handoff = send(world, dept, task=task)
    assert Task.objects.restrict(rep).filter(pk=task.pk).exists()
    assert Handoff.objects.restrict(rep).filter(pk=handoff.pk).exists()
    assert not Task.objects.restrict(rep, "change").filter(pk=task.pk).exists()
    before = fingerprint()
    with pytest.raises(NotFound):
        task_update(actor=rep, task=task, title="Ship the samples today")
    with pytest.raises(NotFound):
        task_set_status(actor=rep, task=task, status=TaskStatus.DONE)
    assert fingerprint() == before
    # The sender keeps it, not their team (it saw the task as the rep's only).
    assert not Task.objects.restrict(teammate).filter(pk=task.pk).exists()
    # Handed on by the receiving department, it stays in view of both senders.
    service = logistics(name="Service")
    handoff_acknowledge(actor=dept.clerk, handoff=handoff, take=True)
    send(world, service, task=Task.objects.get(pk=task.pk), actor=dept.clerk)
    assert Task.objects.restrict(rep).filter(pk=task.pk).exists()
    assert Task.objects.restrict(dept.clerk).filter(pk=task.pk).exists()
    assert not Task.objects.restrict(dept.clerk, "change").filter(pk=task.pk).exists()
    assert ChangeRecord.objects.filter(
        content_type__model="handoff", parent_object_id=None
    ).exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("no members", "to_department"),
        ("own department", "to_department"),
        ("no department", "to_department"),
        ("past deadline", "deadline"),
        ("no deadline", "deadline"),
        ("NUL in the note", "note"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_written(world, case, field):
    dept = logistics()
    task = rep_task(world)
    empty = Department.objects.create(name="Commissioning")
    arguments = {"to_department": dept.department, "deadline": later(5), "note": ""}
    if case == "no members":
        arguments["to_department"] = empty
    elif case == "own department":
        arguments["to_department"] = world.teams["a"].department
    elif case == "no department":
        arguments["to_department"] = None
    elif case == "past deadline":
        arguments["deadline"] = timezone.now() - datetime.timedelta(hours=2)
    elif case == "no deadline":
        arguments["deadline"] = None
    else:
        arguments["note"] = "bad\x00note"
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        handoff_send(actor=world.user("rep"), task=task, **arguments)
    assert field in caught.value.message_dict
    message = " ".join(caught.value.message_dict[field])
    expected = {
        "no members": "Commissioning has no members: nobody would receive the hand-off",
        "own department": "This is your own department",
        "no department": "Choose the department",
        "past deadline": "The deadline is in the past",
        "no deadline": "Set a deadline",
        "NUL in the note": "NUL",
    }[case]
    assert expected in message
    assert fingerprint() == before


def test_a_task_one_may_not_change_cannot_be_handed_over(world):
    dept = logistics()
    task = rep_task(world)
    before = fingerprint()
    for who in ("outsider", "marketer", "auditor"):
        with pytest.raises(NotFound):
            send(world, dept, task=task, actor=world.user(who))
    assert fingerprint() == before


def test_a_closed_task_and_a_task_already_handed_over_are_refused(world):
    dept, other = logistics(), logistics(name="Service")
    rep = world.user("rep")
    done = rep_task(world, title="Old one")
    task_set_status(actor=rep, task=done, status=TaskStatus.DONE)
    before = fingerprint()
    with pytest.raises(DomainError) as caught:
        send(world, dept, task=done)
    assert caught.value.code == "task_closed"
    assert fingerprint() == before

    # The author still may change the queued task, but it is in Logistics' hands now.
    task = rep_task(world)
    send(world, dept, task=task)
    before = fingerprint()
    with pytest.raises(DomainError) as caught:
        send(world, other, task=task)
    assert caught.value.code == "already_handed_off"
    assert "Logistics" in str(caught.value.message)
    assert fingerprint() == before


def test_the_receiving_department_hands_it_on(world):
    """Sales → logistics → service: logistics' hand-off is done, service's begins."""
    dept, service = logistics(), logistics(name="Service")
    first = send(world, dept)
    second = send(world, service, task=first.task, actor=dept.clerk, note="Install it")
    first.refresh_from_db()
    assert first.status == HandoffStatus.DONE and first.closed_at is not None
    assert (second.from_user, second.from_department) == (dept.clerk, dept.department)
    task = Task.objects.get(pk=first.task_id)
    assert task.department == service.department
    assert notified(world.user("rep"), f"handoff-{first.pk}-done")
    assert notified(service.clerk, f"handoff-{second.pk}-sent")


# Acknowledging ----------------------------------------------------------------------------------
def test_a_member_acknowledges_and_the_sender_is_told(world):
    dept = logistics()
    handoff = send(world, dept)
    acknowledged = handoff_acknowledge(actor=dept.clerk, handoff=handoff)
    assert acknowledged.status == HandoffStatus.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == dept.clerk and acknowledged.acknowledged_at
    (told,) = notified(world.user("rep"), f"handoff-{handoff.pk}-acknowledged")
    assert "Logistics acknowledged your hand-off" in told.title
    assert "Logistics.clerk Tester" in told.body
    change = ChangeRecord.objects.filter(content_type__model="handoff", object_id=handoff.pk)
    assert change.latest("pk").after["status"] == "acknowledged"
    assert change.latest("pk").parent_object_id == world.companies["own"].pk


def test_acknowledging_twice_or_as_a_non_member_is_refused(world):
    dept = logistics()
    handoff = send(world, dept)
    before = fingerprint()
    for who in (
        world.user("rep"),
        world.user("admin"),
        world.user("outsider"),
        world.user("auditor"),
    ):
        with pytest.raises(NotFound):
            handoff_acknowledge(actor=who, handoff=handoff)
    assert fingerprint() == before
    handoff_acknowledge(actor=dept.head, handoff=handoff)
    before = fingerprint()
    with pytest.raises(DomainError) as caught:
        handoff_acknowledge(actor=dept.clerk, handoff=handoff)
    assert caught.value.code == "already_acknowledged"
    assert "Logistics.head Tester already acknowledged" in str(caught.value.message)
    assert fingerprint() == before


def test_acknowledge_and_take(world):
    dept = logistics()
    handoff = send(world, dept)
    handoff_acknowledge(actor=dept.clerk, handoff=handoff, take=True)
    task = Task.objects.get(pk=handoff.task_id)
    assert task.assignee == dept.clerk and task.department == dept.department


# Returning --------------------------------------------------------------------------------------
def test_returning_needs_a_reason_and_gives_the_task_back_to_the_sender(world):
    dept = logistics()
    rep = world.user("rep")
    handoff = send(world, dept)
    before = fingerprint()
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as caught:
            handoff_return(actor=dept.clerk, handoff=handoff, reason=reason)
        assert "Say why you return" in caught.value.message_dict["reason"][0]
    with pytest.raises(NotFound):
        handoff_return(actor=rep, handoff=handoff, reason="Not mine")
    assert fingerprint() == before

    returned = handoff_return(actor=dept.clerk, handoff=handoff, reason="  Wrong   address ")
    assert returned.status == HandoffStatus.RETURNED and returned.closed_at
    task = Task.objects.get(pk=handoff.task_id)
    assert (task.assignee, task.department, task.team) == (rep, None, world.teams["a"])
    (told,) = notified(rep, f"handoff-{handoff.pk}-returned")
    assert told.email_wanted and "Wrong address" in told.body
    assert Handoff.objects.get(pk=handoff.pk).return_reason == "Wrong address"
    logged = ChangeRecord.objects.filter(content_type__model="handoff", object_id=handoff.pk)
    change = logged.latest("pk")
    assert (change.before["return_reason"], change.after["return_reason"]) == ("", "Wrong address")
    assert ("reason for returning", "", "Wrong address") in change.changed_fields
    with pytest.raises(DomainError) as caught:
        handoff_return(actor=dept.clerk, handoff=handoff, reason="again")
    assert caught.value.code == "closed"
    # The rep may hand it over again once it is back.
    again = send(world, dept, task=task)
    assert again.status == HandoffStatus.SENT


def test_a_sender_who_left_gets_it_back_in_the_departments_queue(world):
    from rapport.accounts.services import user_deactivate

    dept = logistics()
    handoff = send(world, dept)
    user_deactivate(actor=world.user("admin"), user=world.user("rep"))
    handoff_return(actor=dept.clerk, handoff=handoff, reason="Customer cancelled")
    task = Task.objects.get(pk=handoff.task_id)
    assert (task.assignee, task.department) == (None, world.teams["a"].department)
    assert notified(world.user("teammate"), f"handoff-{handoff.pk}-returned")


# Completing -------------------------------------------------------------------------------------
def test_completing_the_task_closes_the_handoff(world, django_capture_on_commit_callbacks):
    dept = logistics()
    handoff = send(world, dept)
    handoff_acknowledge(actor=dept.clerk, handoff=handoff, take=True)
    with pytest.raises(DomainError) as caught:
        handoff_complete(actor=dept.clerk, handoff=handoff)
    assert caught.value.code == "not_done"
    with django_capture_on_commit_callbacks(execute=True):
        task_set_status(actor=dept.clerk, task=handoff.task, status=TaskStatus.DONE)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.DONE and handoff.closed_at
    (told,) = notified(world.user("rep"), f"handoff-{handoff.pk}-done")
    assert "Hand-off done" in told.title and "Logistics completed the task" in told.body
    last = ChangeRecord.objects.filter(content_type__model="handoff", object_id=handoff.pk)
    assert last.latest("pk").actor == dept.clerk


def test_handoff_complete_closes_one_whose_task_is_done(world):
    dept = logistics()
    handoff = send(world, dept)
    task = task_take(actor=dept.clerk, task=handoff.task)
    task_set_status(actor=dept.clerk, task=task, status=TaskStatus.DONE)  # no commit: no event
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.ACKNOWLEDGED
    with pytest.raises(NotFound):
        handoff_complete(actor=world.user("outsider"), handoff=handoff)
    closed = handoff_complete(actor=world.user("rep"), handoff=handoff)
    assert closed.status == HandoffStatus.DONE


def test_taking_a_handed_over_task_from_the_queue_acknowledges_the_handoff(world):
    dept = logistics()
    handoff = send(world, dept)
    task_take(actor=dept.clerk, task=handoff.task)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACKNOWLEDGED
    assert (handoff.acknowledged_by, handoff.task.assignee) == (dept.clerk, dept.clerk)
    (told,) = notified(world.user("rep"), f"handoff-{handoff.pk}-acknowledged")
    assert "Logistics acknowledged your hand-off" in told.title
    assert "Logistics.clerk Tester" in told.body
