"""Running processes: started on a record, stages in turn through their tasks, skips with a
reason, schedule changes, cancelling, and the refusals that leave nothing behind."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from rapport.activities.models import Task
from rapport.activities.services.tasks import task_set_status, task_take
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord, Notification
from rapport.processes.models import ProcessInstance, ProcessStage
from rapport.processes.services.instances import (
    process_advance,
    process_cancel,
    process_start,
    stage_skip,
    stage_update,
)
from rapport.processes.tests.factories import make_deal, make_template, start_on_deal


def _counts():
    return (
        ProcessInstance.objects.count(),
        ProcessStage.objects.count(),
        Task.objects.count(),
        Notification.objects.count(),
        ChangeRecord.objects.count(),
    )


def _done(actor, task, callbacks):
    with callbacks(execute=True):
        task_set_status(actor=actor, task=task, status="done")


def test_start_plans_the_stages_and_gives_the_first_task(world):
    rep, head = world.users["rep"], world.users["head"]
    template = make_template(world.users["admin"], controller=head)
    deal = make_deal(world)
    before = timezone.now()
    instance = process_start(actor=rep, template=template, record=deal)
    stages = list(instance.stages.order_by("position"))
    assert [s.status for s in stages] == ["active", "pending", "pending", "pending"]
    assert instance.controller == head and instance.started_by == rep
    assert instance.company_id == deal.company_id and instance.person_id == deal.person_id
    # One after the other, by the template's durations.
    assert stages[0].planned_start >= before
    assert stages[0].planned_end - stages[0].planned_start == datetime.timedelta(days=2)
    assert stages[1].planned_start == stages[0].planned_end
    assert stages[2].planned_end - stages[2].planned_start == datetime.timedelta(hours=4)
    # A role: the deal's owner has it; the head role goes to the head of the owner's department.
    assert stages[0].executor_user == rep and stages[2].executor_user == head
    task = stages[0].task
    assert task.assignee == rep and task.due_at == stages[0].planned_end
    assert task.content_type == ContentType.objects.get_for_model(deal)
    assert task.object_id == deal.pk and task.author == head
    assert instance.current_stage == stages[0] and instance.current_due == stages[0].planned_end
    note = Notification.objects.get(user=rep, kind="process")
    assert "Qualification" in note.title and note.url == instance.get_absolute_url()
    created = ChangeRecord.objects.filter(
        parent_content_type=ContentType.objects.get_for_model(deal), parent_object_id=deal.pk
    )
    assert created.filter(object_id=instance.pk, action="create").exists()


def test_tasks_done_in_turn_move_the_process_to_its_end(world, django_capture_on_commit_callbacks):
    rep, head = world.users["rep"], world.users["head"]
    template = make_template(world.users["admin"], controller=head)
    instance, deal = start_on_deal(world, template=template)
    first = instance.stages.get(position=0)
    _done(rep, first.task, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    second = instance.stages.get(position=1)
    assert first.status == "done" and first.finished_at and second.status == "active"
    assert second.task.checklist == [
        {"text": "Prices checked", "done": False},
        {"text": "Discount approved", "done": False},
    ]
    assert "Commercial proposal" in second.task.description
    # The same event again (a retried handler) changes nothing.
    assert process_advance(task_id=first.task_id) is None
    assert instance.stages.filter(status="active").count() == 1
    _done(rep, second.task, django_capture_on_commit_callbacks)
    third = instance.stages.get(position=2)
    assert third.status == "active" and third.task.assignee == head
    assert Notification.objects.filter(user=head, title__contains="Approval").exists()
    _done(head, third.task, django_capture_on_commit_callbacks)
    fourth = instance.stages.get(position=3)
    _done(rep, fourth.task, django_capture_on_commit_callbacks)
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.finished_at
    assert instance.current_stage is None and instance.current_due is None
    assert Notification.objects.filter(user=head, title__contains="is complete").exists()


def test_a_department_executor_gets_the_queue(world, django_capture_on_commit_callbacks):
    from rapport.accounts.models import Department

    sales = Department.objects.get(name="Sales")
    template = make_template(
        world.users["admin"],
        stages=[{"name": "Delivery", "executor_department": sales, "duration_value": 1}],
    )
    instance, _deal = start_on_deal(world, template=template)
    stage = instance.stages.get()
    assert stage.executor_department == sales and stage.executor_user is None
    assert stage.task.department == sales and stage.task.assignee is None
    told = set(Notification.objects.filter(kind="process").values_list("user__username", flat=True))
    assert {"rep", "teammate", "head"} <= told
    teammate = world.users["teammate"]
    task = task_take(actor=teammate, task=stage.task)
    _done(teammate, task, django_capture_on_commit_callbacks)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_a_role_nobody_has_in_the_team_goes_to_someone_with_it(world):
    template = make_template(
        world.users["admin"],
        stages=[{"name": "Check", "executor_role": "support", "duration_value": 1}],
    )
    instance, _deal = start_on_deal(world, template=template)
    assert instance.stages.get().executor_user == world.users["support"]


def test_skip_needs_a_reason_and_records_who_and_why(world, django_capture_on_commit_callbacks):
    rep, head = world.users["rep"], world.users["head"]
    template = make_template(world.users["admin"], controller=head)
    instance, _deal = start_on_deal(world, template=template)
    first = instance.stages.get(position=0)
    before = _counts()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            stage_skip(actor=head, stage=first, reason=reason)
        assert exc.value.message_dict["reason"] == ["Give the reason for skipping this stage."]
    assert _counts() == before
    first.refresh_from_db()
    assert first.status == "active"
    stage_skip(actor=head, stage=first, reason="Known customer, qualified last year")
    first.refresh_from_db()
    assert first.status == "skipped" and first.skipped_by == head
    assert first.skipped_reason == "Known customer, qualified last year"
    first.task.refresh_from_db()
    assert first.task.status == "cancelled"
    assert instance.stages.get(position=1).status == "active"
    # A pending stage may be skipped ahead of time; one that may not be skipped is refused.
    third = instance.stages.get(position=2)
    stage_skip(actor=head, stage=third, reason="Standard prices")
    last = instance.stages.get(position=3)
    with pytest.raises(DomainError, match="may not be skipped"):
        stage_skip(actor=head, stage=last, reason="Hurry")
    second = instance.stages.get(position=1)
    _done(rep, second.task, django_capture_on_commit_callbacks)
    assert instance.stages.get(position=3).status == "active"  # the skipped one was passed over


def test_a_rep_who_only_sees_the_customer_cannot_skip_or_cancel(world):
    instance, _deal = start_on_deal(world, key="team")  # the teammate's deal and process
    rep = world.users["rep"]
    stage = instance.stages.get(position=0)
    assert ProcessInstance.objects.restrict(rep).filter(pk=instance.pk).exists()
    before = _counts()
    with pytest.raises(NotFound):
        stage_skip(actor=rep, stage=stage, reason="Not mine")
    with pytest.raises(NotFound):
        process_cancel(actor=rep, instance=instance)
    assert _counts() == before


def test_start_refusals_leave_nothing_behind(world):
    admin, rep = world.users["admin"], world.users["rep"]
    template = make_template(admin)
    foreign_deal = make_deal(world, "foreign")
    before = _counts()
    with pytest.raises(NotFound):  # a deal the rep may not see
        process_start(actor=rep, template=template, record=foreign_deal)
    # A template for orders on a deal.
    orders_template = make_template(
        admin,
        name="Delivery",
        record_type="orders.order",
        stages=[{"name": "Ship", "executor_role": "sales_rep"}],
    )
    deal = make_deal(world)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        process_start(actor=rep, template=orders_template, record=deal)
    assert exc.value.message_dict["template"] == [
        "The process “Delivery” applies to: order. It cannot be started on this deal."
    ]
    assert _counts() == before
    # A role nobody active has: the stage waits in the queue of the owner's department...
    world.users["auditor"].is_active = False
    world.users["auditor"].save()
    audit = make_template(
        admin, name="Audit", stages=[{"name": "Audit", "executor_role": "auditor"}]
    )
    queued = process_start(actor=rep, template=audit, record=make_deal(world, name="Queued"))
    assert queued.stages.get().executor_department.name == "Sales"
    # ...and with no department to queue in (the owner is in none), it is refused.
    admin_deal = make_deal(world, name="The administrator's")
    admin_deal.owner, admin_deal.team = admin, None
    admin_deal.save()
    before = _counts()
    with pytest.raises(ValidationError, match="Nobody has the role “auditor"):
        process_start(actor=admin, template=audit, record=admin_deal)
    assert _counts() == before
    before = _counts()
    instance = process_start(actor=rep, template=template, record=deal)
    with pytest.raises(DomainError, match="already running"):
        process_start(actor=rep, template=template, record=deal)
    assert ProcessInstance.objects.filter(object_id=deal.pk).count() == 1
    process_cancel(actor=rep, instance=instance, reason="Started by mistake")
    instance.refresh_from_db()
    assert instance.status == "cancelled" and instance.cancel_reason == "Started by mistake"
    assert instance.stages.get(position=0).task.status == "cancelled"
    again = process_start(actor=rep, template=template, record=deal)  # once it is cancelled
    assert again.pk != instance.pk
    assert _counts() != before


def test_schedule_changes_and_a_finished_stage_refused(world, django_capture_on_commit_callbacks):
    rep, head = world.users["rep"], world.users["head"]
    template = make_template(world.users["admin"], controller=head)
    instance, _deal = start_on_deal(world, template=template)
    first, second = instance.stages.order_by("position")[:2]
    start = timezone.now() + datetime.timedelta(days=10)
    stage_update(
        actor=head,
        stage=second,
        planned_start=start,
        planned_end=start + datetime.timedelta(days=1),
        executor_user=world.users["teammate"],
    )
    second.refresh_from_db()
    assert second.planned_start == start and second.executor_user == world.users["teammate"]
    # The active stage: its end moves its task's due time; its start is history.
    new_end = timezone.now() + datetime.timedelta(days=5)
    stage_update(actor=head, stage=first, planned_end=new_end)
    first.refresh_from_db()
    first.task.refresh_from_db()
    assert first.task.due_at == new_end
    instance.refresh_from_db()
    assert instance.current_due == new_end
    before = _counts()
    with pytest.raises(ValidationError, match="only its planned end"):
        stage_update(actor=head, stage=first, planned_start=timezone.now())
    with pytest.raises(ValidationError, match="must come after"):
        stage_update(actor=head, stage=second, planned_end=start - datetime.timedelta(hours=1))
    _done(rep, first.task, django_capture_on_commit_callbacks)
    before = _counts()
    with pytest.raises(DomainError, match="is finished"):
        stage_update(actor=head, stage=first, planned_end=new_end + datetime.timedelta(days=1))
    assert _counts() == before
    first.refresh_from_db()
    assert first.planned_end == new_end


def test_a_late_schedule_makes_an_overdue_stage(world):
    past = timezone.now() - datetime.timedelta(days=10)
    instance, _deal = start_on_deal(world, start_at=past)
    first = instance.stages.get(position=0)
    assert first.task.due_at < timezone.now()  # allowed: the schedule says so
    assert first.is_overdue() and first.is_deviation()


def test_the_executor_is_told_by_e_mail(world, settings, django_capture_on_commit_callbacks):
    from rapport.core.models import OutboxMessage

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        instance, _deal = start_on_deal(world)
    message = OutboxMessage.objects.get(to__contains="rep@example.com")
    assert message.subject == "Your turn in “Typical sales model”: Qualification"
    assert instance.get_absolute_url() in message.body


def test_a_stage_nobody_can_take_waits_for_the_controller(
    world, django_capture_on_commit_callbacks
):
    from rapport.accounts.models import Department

    rep, head = world.users["rep"], world.users["head"]
    logistics = Department.objects.create(name="Logistics")
    driver = world.users["support"]
    driver.department, driver.team = logistics, None
    driver.save()
    template = make_template(
        world.users["admin"],
        controller=head,
        stages=[
            {"name": "Confirm", "executor_role": "sales_rep"},
            {"name": "Deliver", "executor_department": logistics},
        ],
    )
    instance, _deal = start_on_deal(world, template=template)
    driver.is_active = False  # the only member of Logistics leaves
    driver.save()
    first = instance.stages.get(position=0)
    _done(rep, first.task, django_capture_on_commit_callbacks)
    deliver = instance.stages.get(position=1)
    assert deliver.status == "active" and deliver.task is None
    note = Notification.objects.get(user=head, title__startswith="Nobody was given")
    assert "has no members" in note.body
    # The controller gives the stage to someone: its task is made.
    stage_update(actor=head, stage=deliver, executor_user=world.users["teammate"])
    deliver.refresh_from_db()
    assert deliver.task.assignee == world.users["teammate"]
    assert Notification.objects.filter(user=world.users["teammate"], kind="process").exists()
