"""Small hand-made sales data for the analytics tests (straight through the models: the sales
services are written in parallel and the reports only read)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from rapport.catalog.models import ExchangeRate, Product
from rapport.orders.models import Order, OrderLine
from rapport.sales.models import Deal, DealStageChange, Pipeline, Stage


def aware(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def pipeline(name="New business", probabilities=(20, 50)) -> tuple[Pipeline, list[Stage]]:
    """A pipeline with open stages of the given probabilities, then "Won" and "Lost"."""
    pipe = Pipeline.objects.create(name=name)
    stages = [
        Stage.objects.create(pipeline=pipe, name=f"Stage {i + 1}", position=i, probability=p)
        for i, p in enumerate(probabilities)
    ]
    n = len(stages)
    stages.append(
        Stage.objects.create(pipeline=pipe, name="Won", position=n, probability=100, kind="won")
    )
    stages.append(
        Stage.objects.create(pipeline=pipe, name="Lost", position=n + 1, probability=0, kind="lost")
    )
    return pipe, stages


def deal(
    *,
    stage: Stage,
    owner,
    company,
    amount="1000.00",
    currency="EUR",
    expected: date | None = None,
    probability: int | None = None,
    created: datetime | None = None,
    closed: datetime | None = None,
    stage_since: datetime | None = None,
    source="manual",
    name="Deal",
) -> Deal:
    status = {"won": "won", "lost": "lost"}.get(stage.kind, "open")
    obj = Deal.objects.create(
        name=name,
        pipeline=stage.pipeline,
        stage=stage,
        status=status,
        company=company,
        amount=Decimal(amount),
        currency=currency,
        expected_close_date=expected,
        probability=probability,
        owner=owner,
        team=owner.team if owner else None,
        closed_at=closed,
        stage_changed_at=stage_since or timezone.now(),
        source=source,
    )
    if created:
        Deal.objects.filter(pk=obj.pk).update(created_at=created)
        obj.refresh_from_db()
    return obj


def closed_deal(*, through: Stage, to: Stage, owner, company, entered, left, amount="100.00"):
    """A deal that was in ``through`` from ``entered`` and moved to won/lost ``to`` at ``left``."""
    obj = deal(stage=to, owner=owner, company=company, amount=amount, created=entered, closed=left)
    DealStageChange.objects.create(deal=obj, from_stage=None, to_stage=through, changed_at=entered)
    DealStageChange.objects.create(
        deal=obj,
        from_stage=through,
        to_stage=to,
        changed_at=left,
        seconds_in_from_stage=int((left - entered).total_seconds()),
    )
    return obj


def rate(currency: str, valid_from: date, value: str) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency, valid_from=valid_from, rate=Decimal(value)
    )


def order(*, owner, company, ordered_on: date, lines, deal_obj=None, currency="EUR", status=None):
    """An order with lines given as (product, quantity, unit price, discount %, cost price)."""
    obj = Order.objects.create(
        company=company,
        owner=owner,
        team=owner.team,
        currency=currency,
        ordered_on=ordered_on,
        deal=deal_obj,
        **({"status": status} if status else {}),
    )
    for i, (product, quantity, price, discount, cost) in enumerate(lines):
        quantity, price = Decimal(quantity), Decimal(price)
        gross = quantity * price
        net = (gross * (1 - Decimal(discount) / 100)).quantize(Decimal("0.01"))
        OrderLine.objects.create(
            order=obj,
            position=i,
            product=product,
            description=product.name if product else "Service",
            quantity=quantity,
            unit_price=price,
            discount_percent=Decimal(discount),
            cost_price=Decimal(cost),
            gross_amount=gross,
            net_amount=net,
        )
    return obj


def product(name: str, cost="10.00") -> Product:
    return Product.objects.create(name=name, cost_price=Decimal(cost))


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)
