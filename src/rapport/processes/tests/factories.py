"""Templates, deals and running processes the processes tests share."""

from __future__ import annotations

from decimal import Decimal

from rapport.processes.services.instances import process_start
from rapport.processes.services.templates import template_create

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}

SALES_STAGES = [
    {"name": "Qualification", "executor_role": "sales_rep", "duration_value": 2},
    {
        "name": "Proposal",
        "executor_role": "sales_rep",
        "duration_value": 3,
        "checklist": ["Prices checked", "Discount approved"],
        "documents": ["Commercial proposal"],
    },
    {"name": "Approval", "executor_role": "head", "duration_value": 4, "duration_unit": "hours"},
    {"name": "Contract", "executor_role": "sales_rep", "duration_value": 5, "is_skippable": False},
]


def make_template(
    actor, *, name="Typical sales model", record_type="sales.deal", stages=None, **fields
):
    return template_create(
        actor=actor,
        name=name,
        record_type=record_type,
        stages=[dict(s) for s in (stages or SALES_STAGES)],
        **fields,
    )


def make_deal(world, key="own", *, name=None):
    from rapport.sales.models import Pipeline, Stage
    from rapport.sales.services.deals import deal_create

    pipeline = Pipeline.objects.filter(name="Process pipeline").first()
    if pipeline is None:
        pipeline = Pipeline.objects.create(name="Process pipeline")
        Stage.objects.create(pipeline=pipeline, name="Open", position=0)
        Stage.objects.create(pipeline=pipeline, name="Won", position=1, kind="won")
    owner = world.users[OWNERS[key]]
    return deal_create(
        actor=owner,
        pipeline=pipeline,
        company=world.companies[key],
        person=world.people[key],
        name=name or f"Process deal of {key}",
        amount=Decimal("1000"),
    )


def start_on_deal(world, key="own", *, template=None, **kwargs):
    owner = world.users[OWNERS[key]]
    template = template or make_template(world.users["admin"])
    deal = make_deal(world, key)
    return process_start(actor=owner, template=template, record=deal, **kwargs), deal
