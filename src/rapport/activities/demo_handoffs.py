"""Demo hand-offs for ``make run``: sales hands deliveries to service (one acknowledged, one
waiting, one returned), and service hands a quote to sales that is overdue and escalated to the
head of sales. Called by the activities demo: ``demo_handoffs.seed(rng=rng, users=users,
stdout=stdout)`` after the demo users and customers exist."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from rapport.accounts.choices import Role
from rapport.activities.models import Handoff
from rapport.activities.services.handoffs import (
    claim_due_escalations,
    handoff_acknowledge,
    handoff_return,
    handoff_send,
)
from rapport.activities.services.tasks import task_create
from rapport.contacts.models import Company

DELIVERIES = [
    ("Deliver and install the ordered pumps", "Two pallets; the customer's ramp is at gate 3."),
    ("Commission the new boiler", "The customer wants it running before the heating season."),
    ("Replace the faulty meter", "Serial number in the order; the old one goes back to us."),
]


def _pick(users, role, *, not_department=None):
    for user in users:
        department = user.department_id_for_scope
        if user.is_active and user.role == role and department and department != not_department:
            return user
    return None


def seed(*, rng, users, stdout) -> None:
    users = list(users)
    sender = _pick(users, Role.SALES_REP)
    if sender is None:
        stdout.write("Hand-offs: no sales rep with a department; none made.\n")
        return
    receiver = _pick(users, Role.SUPPORT, not_department=sender.department_id_for_scope)
    head = _pick(users, Role.HEAD, not_department=receiver and receiver.department_id_for_scope)
    if receiver is None or head is None:
        stdout.write("Hand-offs: no service agent or head of another department; none made.\n")
        return
    now = timezone.now()
    customers = list(Company.objects.restrict(sender).order_by("pk")[:50])
    service = receiver.department if receiver.department_id else receiver.team.department
    with transaction.atomic():
        made = []
        for title, note in DELIVERIES:
            task = task_create(
                actor=sender,
                title=title,
                assignee=sender,
                company=rng.choice(customers) if customers else None,
                due_at=now + datetime.timedelta(days=rng.randint(4, 10)),
            )
            made.append(
                handoff_send(
                    actor=sender,
                    task=task,
                    to_department=service,
                    deadline=now + datetime.timedelta(days=rng.randint(1, 3), hours=4),
                    note=note,
                )
            )
        acknowledged, _waiting, returned = made
        handoff_acknowledge(actor=receiver, handoff=acknowledged, take=True)
        handoff_return(
            actor=receiver,
            handoff=returned,
            reason="The order has no meter on it: please check the order lines first.",
        )
        # Service asks sales for a quote; nobody in sales acknowledged it in time.
        quote = task_create(
            actor=receiver,
            title="Quote spare parts for the service contract",
            assignee=receiver,
            due_at=now + datetime.timedelta(days=5),
        )
        overdue = handoff_send(
            actor=receiver,
            task=quote,
            to_department=head.department if head.department_id else head.team.department,
            deadline=now + datetime.timedelta(hours=1),
            note="The customer's contract renews next month.",
        )
        # Sent three days ago with a deadline yesterday (demo history is back-dated).
        Handoff.objects.filter(pk=overdue.pk).update(
            created_at=now - datetime.timedelta(days=3),
            deadline=now - datetime.timedelta(days=1),
        )
    escalated = claim_due_escalations(timezone.now())
    stdout.write(f"Hand-offs: {len(made) + 1} made, {escalated} escalated.\n")
