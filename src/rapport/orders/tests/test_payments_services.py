"""Payments against invoices: partial, never more than due, in the invoice's currency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.core.errors import DomainError
from rapport.core.models import ChangeRecord
from rapport.orders.models import Payment
from rapport.orders.services.invoices import invoice_create, invoice_issue
from rapport.orders.services.payments import payment_create, payment_delete
from tests.app_rules.orders_documents import make_order


def _issued(world, key="own"):
    owner = world.users[{"own": "rep", "team": "teammate", "foreign": "outsider"}[key]]
    invoice = invoice_create(actor=owner, order=make_order(world, key))
    return invoice_issue(actor=owner, invoice=invoice)


def test_partial_then_full_payment(world):
    rep = world.users["rep"]
    invoice = _issued(world)
    payment_create(actor=rep, invoice=invoice, amount=Decimal("694.00"))
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid" and invoice.amount_due == Decimal("1000.00")
    payment_create(actor=rep, invoice=invoice, amount="1000", paid_on=datetime.date(2026, 5, 2))
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.paid_on == datetime.date(2026, 5, 2)
    assert not invoice.is_overdue
    invoice.order.refresh_from_db()
    assert invoice.order.paid_total == Decimal("1694.00")


def test_paying_more_than_due_or_in_another_currency_is_refused(world):
    rep = world.users["rep"]
    invoice = _issued(world)
    payment_create(actor=rep, invoice=invoice, amount=Decimal("1000"))
    before = (Payment.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(ValidationError) as caught:
        payment_create(actor=rep, invoice=invoice, amount=Decimal("694.01"))
    assert "Only 694.00 EUR is due" in str(caught.value)
    with pytest.raises(ValidationError, match="cannot be recorded"):
        payment_create(actor=rep, invoice=invoice, amount=Decimal("10"), currency="USD")
    with pytest.raises(ValidationError):
        payment_create(actor=rep, invoice=invoice, amount=Decimal("-5"))
    assert (Payment.objects.count(), ChangeRecord.objects.count()) == before
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00")


def test_a_draft_takes_no_payment(world):
    rep = world.users["rep"]
    invoice = invoice_create(actor=rep, order=make_order(world))
    with pytest.raises(DomainError, match="issued invoices only"):
        payment_create(actor=rep, invoice=invoice, amount=Decimal(1))
    assert Payment.objects.count() == 0


def test_deleting_a_payment_reverses_the_status(world):
    rep = world.users["rep"]
    invoice = _issued(world)
    first = payment_create(actor=rep, invoice=invoice, amount=Decimal("694"))
    second = payment_create(actor=rep, invoice=invoice, amount=Decimal("1000"))
    with pytest.raises(PermissionDenied):
        payment_delete(actor=world.users["teammate"], payment=second)
    payment_delete(actor=rep, payment=second)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.paid_on) == (
        "partially_paid",
        Decimal("694.00"),
        None,
    )
    payment_delete(actor=world.users["admin"], payment=first)
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.amount_paid == 0
    invoice.order.refresh_from_db()
    assert invoice.order.paid_total == 0
