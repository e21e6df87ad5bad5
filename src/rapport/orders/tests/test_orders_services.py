"""Orders: made from an accepted proposal, moved only along the allowed transitions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from rapport.core.errors import DomainError
from rapport.core.models import ChangeRecord
from rapport.orders.models import Order, OrderLine
from rapport.orders.services.invoices import invoice_create, invoice_issue
from rapport.orders.services.orders import order_create_from_proposal, order_move
from rapport.orders.services.payments import payment_create
from rapport.orders.services.shipments import shipment_create, shipment_deliver, shipment_ship
from tests.app_rules.orders_documents import make_order


def test_order_copies_the_accepted_proposal(world):
    order = make_order(world)
    proposal = order.proposal
    assert order.number.startswith("O-")
    assert (order.company, order.person, order.owner, order.team) == (
        proposal.company,
        proposal.person,
        world.users["rep"],
        world.users["rep"].team,
    )
    assert order.deal == proposal.deal
    # 10 × 100 − 10 % = 900 + 21 % tax; 2 × 250 = 500 + 21 %.
    assert order.net_total == Decimal("1400.00")
    assert order.tax_total == Decimal("294.00")
    assert order.total == Decimal("1694.00") == proposal.total
    lines = list(order.lines.order_by("position"))
    assert [(x.description, x.quantity, x.cost_price) for x in lines] == [
        ("Widget", Decimal("10.000"), Decimal("50.00")),
        ("Installation", Decimal("2.000"), Decimal("125.00")),
    ]
    assert order.status == "confirmed"


def test_a_proposal_gets_one_order_only(world):
    order = make_order(world)
    count = Order.objects.count()
    with pytest.raises(DomainError, match="already has an order"), transaction.atomic():
        order_create_from_proposal(actor=world.users["rep"], proposal=order.proposal)
    assert Order.objects.count() == count


def test_order_moves_on_by_itself_and_is_completed_when_all_is_done(world):
    rep = world.users["rep"]
    order = make_order(world)
    invoice = invoice_create(actor=rep, order=order)
    order.refresh_from_db()
    assert order.status == "in_progress"
    invoice = invoice_issue(actor=rep, invoice=invoice)
    payment_create(actor=rep, invoice=invoice, amount=invoice.total)
    order.refresh_from_db()
    assert order.status == "in_progress" and order.paid_total == order.total
    shipment = shipment_create(actor=rep, order=order)
    shipment_ship(actor=rep, shipment=shipment)
    order.refresh_from_db()
    assert order.status == "completed"
    shipment_deliver(actor=rep, shipment=shipment)
    history = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Order), object_id=order.pk
    ).order_by("pk")
    moves = [(c.before, c.after) for c in history if c.before and "status" in c.before]
    assert moves == [
        ({"status": "confirmed"}, {"status": "in_progress"}),
        ({"status": "in_progress"}, {"status": "completed"}),
    ]


def test_cancelling_an_order_with_documents_is_refused(world):
    rep = world.users["rep"]
    order = make_order(world)
    invoice = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    with pytest.raises(DomainError, match="cancel them first"):
        order_move(actor=rep, order=order, status="cancelled")
    # Once the customer has paid, cancelling the invoice is refused too: no such advice.
    payment_create(actor=rep, invoice=invoice, amount="10")
    with pytest.raises(DomainError) as refused:
        order_move(actor=rep, order=order, status="cancelled")
    assert "can no longer be cancelled" in str(refused.value)
    assert "cancel them" not in str(refused.value)
    order.refresh_from_db()
    assert order.status == "in_progress"


def test_illegal_order_moves_are_refused(world):
    rep = world.users["rep"]
    order = make_order(world)
    order = order_move(actor=rep, order=order, status="cancelled")
    with pytest.raises(DomainError, match="cannot go from"):
        order_move(actor=rep, order=order, status="in_progress")
    with pytest.raises(DomainError, match="nothing more can be invoiced"):
        invoice_create(actor=rep, order=order)
    assert OrderLine.objects.filter(order=order, quantity_invoiced__gt=0).count() == 0


def test_order_of_another_team_is_out_of_reach(world):
    order = make_order(world, "foreign")
    from rapport.core.errors import NotFound

    with pytest.raises(NotFound):
        order_move(actor=world.users["rep"], order=order, status="completed")
