"""Demo automation rules for ``make run``: a task when a deal reaches negotiation, a reminder
before an invoice is due, a task to congratulate a contact on their birthday."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from rapport.automation.models import Rule
from rapport.automation.services import rule_save
from rapport.core import records


def _rule(admin, label: str, **fields) -> Rule | None:
    kind = records.record_type(label)
    if kind is None:
        return None
    rule = Rule(content_type=ContentType.objects.get_for_model(kind.model), **fields)
    return rule_save(actor=admin, rule=rule)[0]


def seed(*, rng, users, stdout) -> None:
    admin = next((u for u in users if u.is_administrator), None)
    if admin is None:
        stdout.write("No administrator: no automation rules.\n")
        return
    made = []
    stage_model = None
    kind = records.record_type("sales.deal")
    if kind is not None:
        stage_model = kind.model._meta.get_field("stage").related_model
    negotiation = (
        stage_model._base_manager.filter(name="Negotiation").order_by("pk").first()
        if stage_model
        else None
    )
    if negotiation is not None:
        made.append(
            _rule(
                admin,
                "sales.deal",
                name="Deal reached Negotiation → task for the owner",
                trigger="stage_reached",
                trigger_stage=negotiation.pk,
                actions=[
                    {
                        "type": "create_task",
                        "title": "Prepare the contract for {{ name }}",
                        "assignee": "owner",
                        "due_in_days": 2,
                        "priority": 3,
                    }
                ],
            )
        )
    made.append(
        _rule(
            admin,
            "orders.invoice",
            name="3 days before an invoice is due → notify the owner",
            trigger="date_approaching",
            trigger_field="due_on",
            days_before=3,
            conditions=[
                {"field": "status", "operator": "in", "value": ["issued", "partially_paid"]}
            ],
            actions=[
                {
                    "type": "notify",
                    "recipient": "owner",
                    "title": "Invoice {{ number }} is due on {{ due_on }}",
                    "body": "{{ company }}: {{ total }} {{ currency }}, paid {{ amount_paid }}.",
                }
            ],
        )
    )
    made.append(
        _rule(
            admin,
            "contacts.person",
            name="Birthday of a contact → task to congratulate",
            trigger="date_approaching",
            trigger_field="birthday",
            days_before=1,
            actions=[
                {
                    "type": "create_task",
                    "title": "Congratulate {{ first_name }} {{ last_name }} on their birthday",
                    "assignee": "owner",
                    "due_in_days": 1,
                }
            ],
        )
    )
    stdout.write(f"{sum(1 for r in made if r)} automation rules.\n")
