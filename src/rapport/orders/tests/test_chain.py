"""The chain of a deal and of a customer: offer → order → invoice → payment → shipment."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from rapport.orders.selectors import chain_for_company, chain_for_deal
from rapport.orders.services.invoices import invoice_create, invoice_issue
from rapport.orders.services.payments import payment_create
from rapport.orders.services.shipments import shipment_create, shipment_ship
from tests.app_rules.orders_documents import make_order


def _build(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    first = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 4}])
    first = invoice_issue(actor=rep, invoice=first, issued_on=datetime.date(2025, 6, 1))
    payment_create(actor=rep, invoice=first, amount=Decimal("100"))
    second = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    shipment_ship(
        actor=rep,
        shipment=shipment_create(
            actor=rep, order=order, lines=[{"order_line": widget, "quantity": 3}]
        ),
    )
    return order, first, second


def test_chain_of_a_deal_renders_every_step_with_outstanding(world):
    order, first, second = _build(world)
    chain = chain_for_deal(world.users["rep"], order.deal)
    # 1694.00 invoiced in all, 100 paid; the first invoice (335.60 due) is overdue.
    assert chain.outstanding == Decimal("1594.00")
    assert chain.overdue == Decimal("335.60")
    assert chain.not_invoiced == 0
    html = render_to_string("orders/includes/chain.html", {"chain": chain})
    assert order.proposal.number in html or str(order.proposal) in html
    assert order.number in html and first.number in html and second.number in html
    assert "1,594.00" in html and "Overdue" in html
    assert html.count('class="chain-payment"') == 1
    assert html.count('class="chain-shipment"') == 1
    assert 'data-status="shipped"' in html and 'data-status="partially_paid"' in html


def test_chain_is_scoped_and_takes_few_queries(world):
    order, *_ = _build(world)
    for _i in range(3):
        _build(world)
    company = order.company
    with CaptureQueriesContext(connection) as queries:
        chain = chain_for_company(world.users["rep"], company)
    assert len(chain.orders) == 4 and len(chain.proposals) == 4
    assert len(queries) <= 8
    outsider_chain = chain_for_company(world.users["outsider"], company)
    assert outsider_chain.is_empty
    html = render_to_string("orders/includes/chain.html", {"chain": outsider_chain})
    assert "No proposals or orders yet." in html
