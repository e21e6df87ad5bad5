"""Demo processes for ``make run``: three templates ("Typical sales model", "Equipment delivery
and commissioning", "Complaint handling") and processes running on demo deals, orders and
customers, some stages done (at plausible past times, for the analytics), one skipped with a
reason and some overdue: the deviations the dashboard shows first."""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone

from rapport.core.errors import DomainError, ValidationError

SALES_MODEL = "Typical sales model"
COMMISSIONING = "Equipment delivery and commissioning"
COMPLAINTS = "Complaint handling"
DEALS, ORDERS, COMPLAINT_CUSTOMERS = 10, 5, 2


def _templates(admin, head, service):
    from rapport.processes.services.templates import template_create

    sales = template_create(
        actor=admin,
        name=SALES_MODEL,
        record_type="sales.deal",
        controller=head,
        description="From the first qualified contact to the signed contract.",
        stages=[
            {
                "name": "Qualification",
                "executor_role": "sales_rep",
                "duration_value": 2,
                "checklist": ["Budget confirmed", "Decision maker known", "Timing agreed"],
                "is_skippable": False,
            },
            {
                "name": "Needs analysis",
                "executor_role": "sales_rep",
                "duration_value": 3,
                "checklist": ["Requirements written down"],
                "documents": ["Needs questionnaire"],
            },
            {
                "name": "Proposal",
                "executor_role": "sales_rep",
                "duration_value": 3,
                "documents": ["Commercial proposal"],
                "is_skippable": False,
            },
            {"name": "Discount approval", "executor_role": "head", "duration_value": 1},
            {
                "name": "Contract",
                "executor_role": "sales_rep",
                "duration_value": 5,
                "documents": ["Contract", "Invoice for prepayment"],
                "is_skippable": False,
            },
        ],
    )
    commissioning = template_create(
        actor=admin,
        name=COMMISSIONING,
        record_type="orders.order",
        controller=head,
        description="The commissioning schedule agreed with the customer: exact dates, "
        "executors and the documents each step needs.",
        stages=[
            {
                "name": "Order confirmation",
                "executor_role": "sales_rep",
                "duration_value": 1,
                "documents": ["Order confirmation"],
                "is_skippable": False,
            },
            {
                "name": "Delivery",
                "executor_department": service,
                "duration_value": 5,
                "checklist": ["Transport booked", "Customer told the delivery date"],
                "documents": ["Delivery note"],
                "is_skippable": False,
            },
            {
                "name": "Installation",
                "executor_department": service,
                "duration_value": 2,
                "checklist": ["Site prepared", "Equipment mounted"],
            },
            {
                "name": "Commissioning",
                "executor_role": "support",
                "duration_value": 1,
                "checklist": ["Equipment started", "Test run done"],
                "documents": ["Commissioning certificate"],
                "is_skippable": False,
            },
            {
                "name": "Training",
                "executor_role": "support",
                "duration_value": 4,
                "duration_unit": "hours",
            },
            {
                "name": "Acceptance",
                "executor_role": "sales_rep",
                "duration_value": 2,
                "documents": ["Acceptance certificate"],
                "is_skippable": False,
            },
        ],
    )
    complaints = template_create(
        actor=admin,
        name=COMPLAINTS,
        record_type="contacts.company",
        description="A customer's complaint from registration to the customer's confirmation.",
        stages=[
            {
                "name": "Register the complaint",
                "executor_role": "support",
                "duration_value": 4,
                "duration_unit": "hours",
                "is_skippable": False,
            },
            {
                "name": "Investigation",
                "executor_department": service,
                "duration_value": 2,
                "documents": ["Investigation report"],
            },
            {"name": "Resolution", "executor_role": "support", "duration_value": 2},
            {
                "name": "Confirmation with the customer",
                "executor_role": "sales_rep",
                "duration_value": 1,
            },
        ],
    )
    return sales, commissioning, complaints


def _do(stage) -> None:
    """The stage's executor does its task (taking it from the queue first)."""
    from rapport.activities.services.tasks import task_set_status, task_take
    from rapport.processes.services.executors import department_members
    from rapport.processes.services.instances import process_advance

    task = stage.task
    doer = task.assignee
    if doer is None:
        doer = department_members(task.department_id)[0]
        task = task_take(actor=doer, task=task)
    task_set_status(actor=doer, task=task, status="done")
    process_advance(task_id=task.pk)  # (the event after the seed's commit finds it done)


def _run(rng, instance, *, steps: int, skip: str = "", skipper=None) -> None:
    from rapport.processes.services.instances import stage_skip

    for _step in range(steps):
        stage = instance.stages.filter(status="active").select_related("task").first()
        if stage is None:
            return
        if skip and stage.name == skip:
            stage_skip(actor=skipper, stage=stage, reason="Standard price list: no discount.")
        else:
            _do(stage)


def _age(rng, instance, start, now) -> None:
    """Spread the stages done by the demo over the time since ``start`` (the services stamped
    them all "now"): each took from half to nearly twice its planned time."""
    from rapport.activities.models import Task
    from rapport.processes.models import ProcessInstance, ProcessStage

    cursor = start
    latest = now - datetime.timedelta(hours=1)
    for stage in instance.stages.order_by("position", "pk"):
        if stage.status == "done":
            planned = stage.planned_end - stage.planned_start
            finished = min(cursor + planned * rng.uniform(0.5, 1.8), latest)
            ProcessStage.objects.filter(pk=stage.pk).update(started_at=cursor, finished_at=finished)
            Task.objects.filter(pk=stage.task_id).update(completed_at=finished)
            cursor = finished
        elif stage.status == "skipped":
            ProcessStage.objects.filter(pk=stage.pk).update(started_at=cursor, finished_at=cursor)
        elif stage.status == "active":
            ProcessStage.objects.filter(pk=stage.pk).update(started_at=cursor)
            break
    ProcessInstance.objects.filter(pk=instance.pk).update(started_at=start)


def _start(rng, template, record, actor, *, days_ago: float, now, **kwargs):
    from rapport.processes.services.instances import process_start

    start = now - datetime.timedelta(days=days_ago)
    instance = process_start(
        actor=actor, template=template, record=record, start_at=start, **kwargs
    )
    return instance, start


def seed(*, rng, users, stdout) -> None:
    from rapport.accounts.models import Department
    from rapport.contacts.models import Company
    from rapport.orders.models import Order
    from rapport.sales.models import Deal

    started = time.monotonic()
    admin = next((u for u in users if u.is_administrator), None)
    head = next((u for u in users if u.is_head_of_department), None)
    service = Department.objects.filter(kind="service").order_by("pk").first()
    if admin is None or service is None:
        stdout.write("No administrator or service department: no processes.\n")
        return
    with transaction.atomic():
        sales, commissioning, complaints = _templates(admin, head, service)
    now = timezone.now()
    made = 0
    deals = list(
        Deal.objects.filter(status="open", owner__isnull=False, owner__is_active=True)
        .select_related("owner")
        .order_by("pk")[:DEALS]
    )
    # (days since it started, stages the demo moves it through); the first one is overdue,
    # the second has its discount approval skipped, the last one is complete.
    plans = [(12, 1), (9, 4), (6, 2), (3, 1), (1, 0), (8, 3), (4, 2), (2, 1), (5, 0), (20, 5)]
    for deal, (days, steps) in zip(deals, plans, strict=False):
        try:
            with transaction.atomic():
                instance, start = _start(rng, sales, deal, deal.owner, days_ago=days, now=now)
                skip = "Discount approval" if days == 9 else ""
                _run(rng, instance, steps=steps, skip=skip, skipper=head)
                _age(rng, instance, start, now)
            made += 1
        except (ValidationError, DomainError) as exc:  # a deal the demo cannot run it on
            stdout.write(f"  no process on {deal}: {exc}\n")
    orders = list(
        Order.objects.filter(status__in=["confirmed", "in_progress"], owner__isnull=False)
        .select_related("owner")
        .order_by("-pk")[:ORDERS]
    )
    for index, order in enumerate(orders):
        try:
            with transaction.atomic():
                if index == 0:
                    # A schedule agreed with the customer: exact dates from next week on.
                    monday = timezone.localtime(now).replace(
                        hour=9, minute=0, second=0, microsecond=0
                    ) + datetime.timedelta(days=7 - timezone.localtime(now).weekday())
                    exact = [
                        {
                            "position": 1,
                            "planned_start": monday,
                            "planned_end": monday.replace(hour=17),
                        },
                        {
                            "position": 2,
                            "planned_start": monday + datetime.timedelta(days=1),
                            "planned_end": monday + datetime.timedelta(days=2, hours=8),
                        },
                        {
                            "position": 3,
                            "planned_start": monday + datetime.timedelta(days=3),
                            "planned_end": monday + datetime.timedelta(days=3, hours=6),
                        },
                    ]
                    _start(
                        rng, commissioning, order, order.owner, days_ago=0, now=now, stages=exact
                    )
                else:
                    instance, start = _start(
                        rng, commissioning, order, order.owner, days_ago=3 + 3 * index, now=now
                    )
                    _run(rng, instance, steps=index)
                    _age(rng, instance, start, now)
            made += 1
        except (ValidationError, DomainError) as exc:
            stdout.write(f"  no process on {order}: {exc}\n")
    customers = [deal.company for deal in deals if deal.company_id][:COMPLAINT_CUSTOMERS]
    for index, company in enumerate(Company.objects.filter(pk__in=[c.pk for c in customers])):
        try:
            with transaction.atomic():
                instance, start = _start(
                    rng, complaints, company, company.owner or admin, days_ago=2 + index, now=now
                )
                _run(rng, instance, steps=1 + index)
                _age(rng, instance, start, now)
            made += 1
        except (ValidationError, DomainError) as exc:
            stdout.write(f"  no complaint process on {company}: {exc}\n")
    stdout.write(f"3 process templates, {made} processes ({time.monotonic() - started:.1f} s).\n")
