"""Demo documents for ``make run``: proposals on ~40 won deals, accepted into orders, with
invoices (partial, overdue, paid), payments (partial too) and shipments (partial, delivered)."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rapport.core.errors import DomainError, ValidationError

WON_DEALS = 40


def seed(*, rng, users, stdout) -> None:
    from rapport.catalog.models import Product
    from rapport.sales.models import Deal

    started = time.monotonic()
    deals = list(
        Deal.objects.filter(status="won", owner__isnull=False, closed_at__isnull=False)
        .select_related("owner", "company", "person")
        .order_by("-closed_at", "pk")[:WON_DEALS]
    )
    if not deals:
        stdout.write("No won deals: no documents.\n")
        return
    products = list(Product.objects.filter(is_active=True).order_by("pk")[:40])
    approver = next((u for u in users if u.is_administrator), None)
    made = 0
    for deal in deals:
        try:
            with transaction.atomic():
                _chain(rng, deal, products, approver)
            made += 1
        except (ValidationError, DomainError) as exc:  # a deal the demo cannot document
            stdout.write(f"  no documents for {deal}: {exc}\n")
    stdout.write(
        f"{made} orders with invoices, payments and shipments "
        f"({time.monotonic() - started:.1f} s).\n"
    )


def _proposal(rng, deal, products, approver):
    """A proposal of a few catalogue lines plus the project work that brings it to the deal's
    amount, approved if its discount needs it, and accepted into an order."""
    from rapport.orders.services.proposals import (
        proposal_accept,
        proposal_approve_discount,
        proposal_create,
        proposal_line_add,
    )

    actor = deal.owner
    proposal = proposal_create(actor=actor, deal=deal, title=deal.name)
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
        try:
            proposal = proposal_line_add(
                actor=actor,
                proposal=proposal,
                product=product,
                quantity=Decimal(rng.choice([1, 2, 3, 5, 10, 20])),
                discount_percent=Decimal(rng.choice([0, 0, 0, 5, 10])),
            ).proposal
        except ValidationError:  # no price in the deal's currency: leave the product out
            continue
    proposal.refresh_from_db()
    remainder = deal.amount - proposal.net_total
    if remainder > 0:
        proposal_line_add(
            actor=actor,
            proposal=proposal,
            description=str(deal.name),
            quantity=Decimal(1),
            unit_price=remainder.quantize(Decimal("0.01")),
            tax_rate=Decimal(21),
        )
    proposal.refresh_from_db()
    if proposal.discount_approval == "pending" and approver is not None:
        proposal = proposal_approve_discount(actor=approver, proposal=proposal)
    return proposal_accept(actor=actor, proposal=proposal)


def _chain(rng, deal, products, approver) -> None:
    from rapport.orders.models import Order
    from rapport.orders.services.invoices import invoice_create, invoice_issue
    from rapport.orders.services.payments import payment_create
    from rapport.orders.services.shipments import (
        shipment_create,
        shipment_deliver,
        shipment_ship,
    )

    actor = deal.owner
    today = timezone.localdate()
    order = _proposal(rng, deal, products, approver)
    ordered_on = min(deal.closed_at.date(), today)
    # Demo history: the order dates from when the deal was won.
    Order.objects.filter(pk=order.pk).update(ordered_on=ordered_on)
    order.refresh_from_db()
    lines = list(order.lines.all())
    roll = rng.random()
    issued_on = min(ordered_on + datetime.timedelta(days=rng.randint(0, 5)), today)
    if roll < 0.35 and len(lines) >= 1 and lines[0].quantity > 1:
        # A partial invoice first (half of the first line), the rest later.
        half = (lines[0].quantity / 2).quantize(Decimal("1"))
        first = invoice_create(
            actor=actor, order=order, lines=[{"order_line": lines[0], "quantity": half}]
        )
        invoices = [invoice_issue(actor=actor, invoice=first, issued_on=issued_on)]
        if rng.random() < 0.6:
            rest = invoice_create(actor=actor, order=order)
            later = min(issued_on + datetime.timedelta(days=rng.randint(5, 30)), today)
            invoices.append(invoice_issue(actor=actor, invoice=rest, issued_on=later))
    else:
        invoices = [
            invoice_issue(
                actor=actor, invoice=invoice_create(actor=actor, order=order), issued_on=issued_on
            )
        ]
    for invoice in invoices:
        pay = rng.random()
        if pay < 0.25:
            continue  # unpaid: overdue when issued long enough ago
        paid_on = min(invoice.issued_on + datetime.timedelta(days=rng.randint(1, 20)), today)
        amount = invoice.total if pay > 0.45 else (invoice.total / 3).quantize(Decimal("0.01"))
        payment_create(
            actor=actor,
            invoice=invoice,
            amount=amount,
            paid_on=paid_on,
            method=rng.choice(["bank_transfer", "bank_transfer", "card"]),
            reference=f"PAY-{invoice.number}",
        )
    ship = rng.random()
    if ship < 0.2:
        return
    order.refresh_from_db()
    if ship < 0.45 and lines[0].quantity > 1:
        chosen = [{"order_line": lines[0], "quantity": (lines[0].quantity / 2).quantize(1)}]
    else:
        chosen = None
    shipment = shipment_create(actor=actor, order=order, lines=chosen, carrier=rng.choice(CARRIERS))
    if rng.random() < 0.85:
        _receive_goods(approver, shipment)
        shipped_on = min(issued_on + datetime.timedelta(days=rng.randint(1, 10)), today)
        shipment = shipment_ship(actor=actor, shipment=shipment, shipped_on=shipped_on)
        if rng.random() < 0.7:
            delivered = min(shipped_on + datetime.timedelta(days=rng.randint(1, 5)), today)
            shipment_deliver(actor=actor, shipment=shipment, delivered_on=delivered)


def _receive_goods(admin, shipment) -> None:
    """The demo records no goods received from suppliers: before a shipment takes more than the
    stock holds, the goods "arrive" (an administrator raises the level, as after a count), so
    the demo catalogue does not end below zero."""
    from rapport.catalog.models import Product
    from rapport.catalog.services import product_update
    from rapport.catalog.stock import quantities_by_product, stocked

    if admin is None:
        return
    needed = quantities_by_product(shipment.lines.values_list("order_line__product_id", "quantity"))
    for product in stocked(Product.objects.filter(pk__in=list(needed))).order_by("pk"):
        if product.stock_level < needed[product.pk]:
            level = product.stock_level + needed[product.pk] + 10
            product_update(actor=admin, product=product, stock_level=level)


CARRIERS = ["DHL", "DPD", "Omniva", "Nova Poshta", "UPS"]
