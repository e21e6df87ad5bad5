"""Demo tasks for ``make run``: each salesperson's tasks on their customers (some overdue, some
due today and this week, some done, with checklists and reminders), tasks waiting in the
service and marketing queues, and next steps on about half of the open deals (the others show as
"without a next step"); then the app's other parts (``PARTS``: meetings, hand-offs).

The deals are seeded after this app (INSTALLED_APPS order): their tasks are added when the demo's
transaction commits, or at once when the deals already exist.
"""

from __future__ import annotations

import datetime
import random
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from rapport.accounts.choices import Role
from rapport.activities.choices import TaskPriority, TaskStatus
from rapport.activities.services.tasks import task_create, task_set_status

CUSTOMER_TASKS = [
    ("Call back about the offer", ["Check the price list", "Prepare the discount"]),
    ("Send the contract for signing", ["Fill in the details", "Get the director's approval"]),
    ("Visit the customer's office", ["Book a car", "Print the catalogue", "Bring samples"]),
    ("Confirm the delivery date", []),
    ("Ask for feedback on the installation", []),
    ("Prepare the annual review", ["Sales figures", "Open complaints", "Next year's plan"]),
    ("Update the contact details", []),
    ("Invite to the trade fair", ["Send the invitation", "Reserve a meeting slot"]),
]
QUEUE_TASKS = {
    "Service": [
        ("Install the equipment on site", ["Check the site survey", "Agree the date", "Install"]),
        ("Check the warranty claim", ["Get the serial number", "Inspect the unit"]),
        ("Train the customer's staff", []),
    ],
    "Marketing": [
        ("Prepare a case study", ["Interview the customer", "Write the draft"]),
        ("Add the customer to the newsletter", []),
    ],
}
DEAL_TASKS = [
    ("Send the proposal", ["Calculate the price", "Attach the specification"]),
    ("Follow up on the proposal", []),
    ("Agree the terms with the buyer", ["Payment terms", "Delivery terms"]),
    ("Arrange a demo", []),
]
# The demo data of the app's other parts, seeded after the tasks (activities/demo_<part>.py).
PARTS = ("demo_calendar", "demo_handoffs")
# (days from now, share of tasks): overdue, today, this week, later.
DUE_OFFSETS = [-6, -3, -1, -0.1, 0.2, 1, 2, 4, 9, 20]


def seed(*, rng, users, stdout) -> None:
    now = timezone.now()
    made = 0
    with transaction.atomic():
        for user in users:
            if user.role in (Role.SALES_REP, Role.HEAD) and user.is_active:
                made += _customer_tasks(rng, user, now)
        made += _queue_tasks(rng, users, now)
    stdout.write(f"{made} tasks on customers and in department queues.\n")
    deal_rng = random.Random(rng.random())
    if _deal_model().objects.exists():
        _deal_tasks(deal_rng, now, stdout)
    else:
        transaction.on_commit(lambda: _deal_tasks(deal_rng, timezone.now(), stdout))
    # The other parts of the app: meetings and calls, hand-offs between departments.
    package = import_module("rapport.activities")
    for part in PARTS:
        if module_has_submodule(package, part):
            import_module(f"rapport.activities.{part}").seed(rng=rng, users=users, stdout=stdout)


def _due(rng, now, offset_days: float) -> datetime.datetime:
    moment = now + datetime.timedelta(days=offset_days, minutes=rng.randint(0, 90))
    return moment.replace(second=0, microsecond=0)


def _make(rng, actor, now, *, title, checklist, offset, done_share=0.0, **fields):
    """One task; in the past when ``offset`` < 0 (the demo plays weeks of work), a reminder an
    hour before a future due time, and done with the probability ``done_share``."""
    due = _due(rng, now, offset)
    remind = due - datetime.timedelta(hours=1) if due - datetime.timedelta(hours=1) > now else None
    items = [{"text": text, "done": offset < 0 and rng.random() < 0.5} for text in checklist]
    task = task_create(
        actor=actor,
        title=title,
        checklist=items,
        due_at=due,
        remind_at=remind,
        priority=rng.choice(
            [TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.NORMAL, TaskPriority.HIGH]
            + ([TaskPriority.URGENT] if offset < 1 else [])
        ),
        allow_past_due=True,
        **fields,
    )
    if offset < 0 and rng.random() < done_share:
        task_set_status(actor=actor, task=task, status=TaskStatus.DONE)
    return task


def _customer_tasks(rng, user, now) -> int:
    from rapport.contacts.models import Company

    companies = list(Company.objects.filter(owner=user).order_by("pk")[:10])
    made = 0
    for i, company in enumerate(companies):
        title, checklist = CUSTOMER_TASKS[(i + user.pk) % len(CUSTOMER_TASKS)]
        offset = DUE_OFFSETS[i % len(DUE_OFFSETS)]
        _make(
            rng,
            user,
            now,
            title=title,
            checklist=checklist,
            offset=offset,
            done_share=0.4,
            assignee=user,
            record=company,
            description="" if i % 3 else "Discussed on the last call; see the notes on the card.",
        )
        made += 1
    return made


def _queue_tasks(rng, users, now) -> int:
    """Tasks handed to the service and marketing departments by the salespeople, waiting for
    someone to take them (one taken already)."""
    from rapport.accounts.models import Department
    from rapport.activities.services.tasks import task_take
    from rapport.contacts.models import Company

    senders = [u for u in users if u.role == Role.SALES_REP and u.is_active]
    if not senders:
        return 0
    made = 0
    for name, specs in QUEUE_TASKS.items():
        department = Department.objects.filter(name=name).first()
        members = [
            u
            for u in users
            if u.is_active and u.department_id_for_scope == getattr(department, "pk", None)
        ]
        if department is None or not members:
            continue
        for i, (title, checklist) in enumerate(specs):
            sender = senders[(i + made) % len(senders)]
            company = Company.objects.filter(owner=sender).order_by("-pk").first()
            task = _make(
                rng,
                sender,
                now,
                title=title,
                checklist=checklist,
                offset=[-1, 2, 5][i % 3],
                department=department,
                record=company,
            )
            if i == len(specs) - 1 and task.status == TaskStatus.OPEN:
                task_take(actor=members[0], task=task)
            made += 1
    return made


def _deal_model():
    return apps.get_model("sales", "Deal")


def _deal_tasks(rng, now, stdout) -> None:
    """Next steps on about half of the open deals (some overdue); the rest have none."""
    deals = list(
        _deal_model()
        .objects.filter(status="open", owner__isnull=False, owner__is_active=True)
        .select_related("owner")
        .order_by("pk")
    )
    made = 0
    with transaction.atomic():
        for i, deal in enumerate(deals):
            if rng.random() < 0.45:
                continue
            title, checklist = DEAL_TASKS[i % len(DEAL_TASKS)]
            _make(
                rng,
                deal.owner,
                now,
                title=title,
                checklist=checklist,
                offset=rng.choice([-2, -0.5, 0.3, 1, 3, 6, 12]),
                done_share=0.0,
                assignee=deal.owner,
                record=deal,
            )
            made += 1
    stdout.write(f"{made} next steps on {len(deals)} open deals.\n")
