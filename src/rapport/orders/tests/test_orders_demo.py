"""The demo documents: won deals get orders, invoices, payments and shipments."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.utils import timezone

from rapport.catalog.models import Product
from rapport.orders import demo
from rapport.orders.models import Invoice, Order, Payment, Proposal, ProposalLine, Shipment
from rapport.sales.models import Deal, Pipeline, Stage


def test_demo_documents_for_won_deals(world):
    out = io.StringIO()
    demo.seed(rng=random.Random(3), users=list(world.users.values()), stdout=out)
    assert "No won deals" in out.getvalue() and Order.objects.count() == 0

    # A product without any price list: the demo leaves it out of the proposals.
    Product.objects.create(name="Demo router", tax_rate=Decimal(21), cost_price=Decimal(40))
    pipeline = Pipeline.objects.create(name="Demo")
    stage = Stage.objects.create(pipeline=pipeline, name="Won", kind="won")
    rep = world.users["rep"]
    for i in range(12):
        Deal.objects.create(
            name=f"Demo deal {i}",
            pipeline=pipeline,
            stage=stage,
            status="won",
            company=world.companies["own"],
            amount=Decimal(1000 + i * 100),
            owner=rep,
            team=rep.team,
            closed_at=timezone.now() - datetime.timedelta(days=10 * i),
        )
    demo.seed(rng=random.Random(3), users=list(world.users.values()), stdout=out)
    assert "12 orders" in out.getvalue(), out.getvalue()
    assert Proposal.objects.filter(status="accepted").count() == 12
    assert Invoice.objects.exclude(number="").count() >= 12
    assert Payment.objects.exists() and Shipment.objects.exists()
    statuses = set(Invoice.objects.values_list("status", flat=True))
    assert {"paid", "issued"} <= statuses
    assert Order.objects.filter(ordered_on__lt=timezone.localdate()).exists()
    assert not ProposalLine.objects.filter(description="Demo router").exists()
    # The project work brings each proposal to its deal's amount (so reports agree).
    for proposal in Proposal.objects.select_related("deal"):
        assert proposal.net_total == proposal.deal.amount


def test_demo_shipments_take_goods_out_of_stock_without_going_below_zero(world):
    from django.contrib.contenttypes.models import ContentType

    from rapport.catalog import demo as catalogue_demo
    from rapport.core.models import ChangeRecord

    users = list(world.users.values())
    catalogue_demo.seed(rng=random.Random(7), users=users, stdout=io.StringIO())
    pipeline = Pipeline.objects.create(name="Demo")
    stage = Stage.objects.create(pipeline=pipeline, name="Won", kind="won")
    rep = world.users["rep"]
    for i in range(25):
        Deal.objects.create(
            name=f"Demo deal {i}",
            pipeline=pipeline,
            stage=stage,
            status="won",
            company=world.companies["own"],
            currency="EUR",
            amount=Decimal(20000),
            owner=rep,
            team=rep.team,
            closed_at=timezone.now() - datetime.timedelta(days=5 * i),
        )
    demo.seed(rng=random.Random(5), users=users, stdout=io.StringIO())
    product = ContentType.objects.get_for_model(Product)
    shipment = ContentType.objects.get_for_model(Shipment)
    moved = ChangeRecord.objects.filter(content_type=product, parent_content_type=shipment)
    assert moved.exists()
    assert not Product.objects.filter(stock_level__lt=0).exists()
