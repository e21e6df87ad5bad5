"""Pipelines and deals for the tests of deals, the board and pipelines."""

from __future__ import annotations

from decimal import Decimal

from rapport.sales.models import LostReason
from rapport.sales.services.deals import deal_create
from rapport.sales.services.pipelines import lost_reason_save, pipeline_create_with_stages

STAGES = [
    {"name": "Qualification", "probability": 10},
    {"name": "Proposal", "probability": 40},
    {"name": "Negotiation", "probability": 70},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


def make_pipeline(admin, name="New business", noun="", plural="", currency="EUR"):
    return pipeline_create_with_stages(
        actor=admin,
        name=name,
        deal_noun=noun,
        deal_noun_plural=plural,
        currency=currency,
        stages=[dict(s) for s in STAGES],
    )


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def make_reason(admin, name="Price too high") -> LostReason:
    return lost_reason_save(actor=admin, reason=LostReason(name=name))


def make_deal(actor, pipeline, company=None, *, name="Deal", amount="1000", **fields):
    return deal_create(
        actor=actor,
        pipeline=pipeline,
        company=company,
        name=name,
        amount=Decimal(amount),
        **fields,
    )
