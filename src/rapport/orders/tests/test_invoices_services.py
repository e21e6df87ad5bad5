"""Invoices from an order: full or partial, issued with a number and due date, cancelled."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.core.errors import DomainError
from rapport.core.models import ChangeRecord
from rapport.orders.models import Invoice, InvoiceLine, SellerDetails
from rapport.orders.services.invoices import (
    invoice_cancel,
    invoice_create,
    invoice_issue,
    invoice_update,
)
from rapport.orders.services.payments import payment_create
from tests.app_rules.orders_documents import make_order


def _counts():
    return (Invoice.objects.count(), InvoiceLine.objects.count(), ChangeRecord.objects.count())


def test_full_invoice_takes_everything_not_yet_invoiced(world):
    order = make_order(world)
    invoice = invoice_create(actor=world.users["rep"], order=order)
    assert invoice.status == "draft" and invoice.number == ""
    assert invoice.total == order.total == Decimal("1694.00")
    order.refresh_from_db()
    assert order.invoiced_total == order.total
    assert all(x.quantity_invoiced == x.quantity for x in order.lines.all())


def test_partial_invoice_and_the_rest(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget, installation = order.lines.order_by("position")
    first = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 4}])
    # 4 × 100 = 400, −10 % = 360, +21 % = 75.60.
    assert (first.subtotal, first.net_total, first.tax_total, first.total) == (
        Decimal("400.00"),
        Decimal("360.00"),
        Decimal("75.60"),
        Decimal("435.60"),
    )
    widget.refresh_from_db()
    assert widget.quantity_invoiced == Decimal(4)
    rest = invoice_create(actor=rep, order=order)
    assert {(x.description, x.quantity) for x in rest.lines.all()} == {
        ("Widget", Decimal("6.000")),
        ("Installation", Decimal("2.000")),
    }
    order.refresh_from_db()
    assert order.invoiced_total == first.total + rest.total == order.total


def test_invoicing_more_than_ordered_is_refused_and_writes_nothing(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    invoice_create(actor=rep, order=order, lines=[{"order_line": widget.pk, "quantity": 8}])
    other = make_order(world, "team").lines.first()
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        invoice_create(actor=rep, order=order, lines=[{"order_line": widget.pk, "quantity": 3}])
    assert "at most 2" in str(caught.value)
    with pytest.raises(ValidationError):
        invoice_create(actor=rep, order=order, lines=[{"order_line": widget.pk, "quantity": -1}])
    with pytest.raises(ValidationError, match="not a line of this order"):
        invoice_create(actor=rep, order=order, lines=[{"order_line": other.pk, "quantity": 1}])
    assert _counts() == before
    widget.refresh_from_db()
    assert widget.quantity_invoiced == Decimal(8)


def test_issue_gives_number_and_due_date(world):
    rep = world.users["rep"]
    seller = SellerDetails.get()
    seller.payment_days = 30
    seller.save()
    invoice = invoice_create(actor=rep, order=make_order(world))
    invoice = invoice_issue(actor=rep, invoice=invoice, issued_on=datetime.date(2026, 3, 1))
    year = timezone.localdate().year
    assert invoice.number == f"INV-{year}-00001"
    assert invoice.due_on == datetime.date(2026, 3, 31)
    assert invoice.is_overdue  # due long ago, unpaid
    with pytest.raises(DomainError, match="cannot go from"):
        invoice_issue(actor=rep, invoice=invoice)


def test_editing_an_issued_or_paid_invoice_is_refused_with_advice_that_works(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    invoice = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 1}])
    invoice = invoice_update(actor=rep, invoice=invoice, notes="Draft note")
    invoice = invoice_issue(actor=rep, invoice=invoice)
    # Issued, unpaid: cancelling it is possible, so that is the advice.
    with pytest.raises(DomainError) as refused:
        invoice_update(actor=rep, invoice=invoice, notes="Changed")
    assert str(refused.value) == (
        f"Invoice {invoice.number} is issued and can no longer be changed. Cancel it and make "
        "a new one from the order instead."
    )
    payment_create(actor=rep, invoice=invoice, amount=invoice.total)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    before = _counts()
    # Paid: it can be neither changed nor cancelled, so the message does not suggest either.
    with pytest.raises(DomainError) as refused:
        invoice_update(actor=rep, invoice=invoice, notes="Changed")
    assert refused.value.code == "invoice_locked"
    assert str(refused.value) == (
        f"Invoice {invoice.number} is paid: an invoice with payments can no longer be changed "
        "or cancelled. If a payment was recorded by mistake, the invoice's owner or an "
        "administrator can delete it on the invoice card."
    )
    with pytest.raises(DomainError, match="so it cannot be cancelled") as refused:
        invoice_cancel(actor=rep, invoice=invoice)
    assert "delete them" not in str(refused.value)
    with pytest.raises(DomainError, match="an invoice with payments"):
        invoice_update(actor=rep, invoice=invoice, lines=[{"order_line": widget, "quantity": 1}])
    assert _counts() == before
    invoice.refresh_from_db()
    assert invoice.notes == "Draft note" and invoice.status == "paid"


def test_a_cancelled_invoice_points_to_a_new_one(world):
    rep = world.users["rep"]
    order = make_order(world)
    invoice = invoice_cancel(actor=rep, invoice=invoice_create(actor=rep, order=order))
    with pytest.raises(DomainError, match="is cancelled .* Make a new invoice from the order"):
        invoice_update(actor=rep, invoice=invoice, notes="Changed")
    assert invoice_create(actor=rep, order=order).total == order.total  # which is possible


def test_draft_lines_can_be_changed(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    invoice = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 10}])
    invoice = invoice_update(
        actor=rep, invoice=invoice, lines=[{"order_line": widget, "quantity": 5}]
    )
    widget.refresh_from_db()
    assert widget.quantity_invoiced == 5 and invoice.net_total == Decimal("450.00")


def test_cancel_releases_quantities(world):
    rep = world.users["rep"]
    order = make_order(world)
    invoice = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    invoice_cancel(actor=rep, invoice=invoice)
    order.refresh_from_db()
    assert order.invoiced_total == 0
    assert all(x.quantity_invoiced == 0 for x in order.lines.all())
    again = invoice_create(actor=rep, order=order)
    assert again.total == order.total
