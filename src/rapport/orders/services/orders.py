"""Order writes: an order from an accepted proposal, notes, and moves of its status."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer
from rapport.orders.choices import (
    ORDER_MOVES,
    DocumentKind,
    InvoiceStatus,
    OrderStatus,
    ShipmentStatus,
)
from rapport.orders.models import Invoice, InvoiceLine, Order, OrderLine, ShipmentLine
from rapport.orders.numbering import allocate_number

HEADER_FIELDS = (
    "company_id",
    "person_id",
    "currency",
    "language",
    "subtotal",
    "discount_total",
    "net_total",
    "tax_total",
    "total",
    "owner_id",
    "team_id",
)
LINE_FIELDS = (
    "position",
    "product_id",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "cost_price",
    "gross_amount",
    "net_amount",
    "tax_amount",
)


def order_create_from_proposal(*, actor, proposal) -> Order:
    """The order of an accepted ``proposal``: its customer, people in charge, currency, language,
    lines and totals copied as they were accepted. Runs inside the caller's transaction (the
    proposal's accept service); refuses a proposal that already has an order."""
    require_writer(actor)
    with transaction.atomic():
        if Order.objects.filter(proposal_id=proposal.pk).exists():
            raise DomainError(_("This proposal already has an order."), code="already_ordered")
        order = Order(
            proposal=proposal,
            deal_id=proposal.deal_id,
            notes=proposal.notes,
            **{name: getattr(proposal, name) for name in HEADER_FIELDS},
        )
        order.number = allocate_number(DocumentKind.ORDER)
        order.full_clean()
        order.save()
        OrderLine.objects.bulk_create(
            [
                OrderLine(order=order, **{name: getattr(line, name) for name in LINE_FIELDS})
                for line in proposal.lines.all().order_by("position", "pk")
            ]
        )
        record_change(actor=actor, action=ChangeAction.CREATE, obj=order, after=snapshot(order))
        ensure_in_scope(actor, order)
        events.emit("order.created", id=order.pk)
    return order


# Moves -----------------------------------------------------------------------------------------
def check_move(moves: dict, current: str, target: str, labels) -> None:
    """Refuse a state change the document's table of moves does not allow."""
    if target not in moves.get(current, set()):
        raise DomainError(
            _("This %(document)s cannot go from “%(current)s” to “%(target)s”.")
            % {
                "document": labels["document"],
                "current": labels["choices"](current),
                "target": labels["choices"](target),
            },
            code="illegal_move",
        )


def _order_labels():
    return {"document": _("order"), "choices": lambda v: OrderStatus(v).label}


def _set_order_status(actor, order: Order, status: str) -> None:
    check_move(ORDER_MOVES, order.status, status, _order_labels())
    before = {"status": order.status}
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    record_change(
        actor=actor, action=ChangeAction.UPDATE, obj=order, before=before, after={"status": status}
    )
    events.emit("order.status_changed", id=order.pk, status=status)


def order_refresh(*, actor, order: Order) -> Order:
    """Recount what was invoiced, paid and shipped of ``order`` (the caller holds its lock), and
    move it on: in progress with its first invoice or shipment, completed once everything is
    invoiced, paid and shipped."""
    live_invoices = Q(invoice__order=order) & ~Q(invoice__status=InvoiceStatus.CANCELLED)
    invoiced = dict(
        InvoiceLine.objects.filter(live_invoices)
        .values_list("order_line")
        .annotate(q=Sum("quantity"))
        .values_list("order_line", "q")
    )
    shipped = dict(
        ShipmentLine.objects.filter(shipment__order=order)
        .exclude(shipment__status=ShipmentStatus.CANCELLED)
        .values_list("order_line")
        .annotate(q=Sum("quantity"))
        .values_list("order_line", "q")
    )
    lines = list(order.lines.all())
    changed = []
    for line in lines:
        q_inv, q_ship = invoiced.get(line.pk) or Decimal(0), shipped.get(line.pk) or Decimal(0)
        if (line.quantity_invoiced, line.quantity_shipped) != (q_inv, q_ship):
            line.quantity_invoiced, line.quantity_shipped = q_inv, q_ship
            changed.append(line)
    if changed:
        OrderLine.objects.bulk_update(changed, ["quantity_invoiced", "quantity_shipped"])
    sums = (
        Invoice.objects.filter(order=order)
        .exclude(status=InvoiceStatus.CANCELLED)
        .aggregate(invoiced=Sum("total"), paid=Sum("amount_paid"))
    )
    order.invoiced_total = sums["invoiced"] or Decimal(0)
    order.paid_total = sums["paid"] or Decimal(0)
    order.save(update_fields=["invoiced_total", "paid_total", "updated_at"])
    started = bool(invoiced or shipped) or order.invoices.exists()
    if order.status == OrderStatus.CONFIRMED and started:
        _set_order_status(actor, order, OrderStatus.IN_PROGRESS)
    if order.status == OrderStatus.IN_PROGRESS and _is_done(order, lines):
        _set_order_status(actor, order, OrderStatus.COMPLETED)
    return order


def _is_done(order: Order, lines) -> bool:
    if not lines or order.paid_total < order.total:
        return False
    if any(x.quantity_invoiced < x.quantity or x.quantity_shipped < x.quantity for x in lines):
        return False
    return not order.shipments.filter(status=ShipmentStatus.PLANNED).exists()


def lock_order(actor, order: Order, *, if_match=None) -> Order:
    """The order locked for a change of it or of its documents; a closed order is refused."""
    order = lock_for_change(actor, order, if_match=if_match)
    if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise DomainError(
            _("The order is %(status)s: nothing more can be invoiced or shipped for it.")
            % {"status": order.get_status_display()},
            code="order_closed",
        )
    return order


# Writes --------------------------------------------------------------------------------------
def order_update(*, actor, order: Order, if_match=None, notes: str) -> Order:
    with transaction.atomic():
        order = lock_for_change(actor, order, if_match=if_match)
        before = snapshot(order)
        order.notes = notes
        order.full_clean()
        order.save()
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=order, before=before, after=snapshot(order)
        )
        ensure_in_scope(actor, order)
        events.emit("order.updated", id=order.pk)
    return order


def order_move(*, actor, order: Order, status: str, if_match=None) -> Order:
    """Move the order by hand: complete it, or cancel it while nothing is invoiced or shipped."""
    with transaction.atomic():
        order = lock_for_change(actor, order, if_match=if_match)
        if status not in OrderStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        if status == OrderStatus.CANCELLED:
            _refuse_cancel_with_documents(order)
        _set_order_status(actor, order, status)
        ensure_in_scope(actor, order)
    return order


def _refuse_cancel_with_documents(order: Order) -> None:
    """An order is cancelled only once its invoices and shipments are; when some of them cannot
    be cancelled any more (money received, goods delivered), say so instead of asking for it."""
    invoices = order.invoices.exclude(status=InvoiceStatus.CANCELLED)
    shipments = order.shipments.exclude(status=ShipmentStatus.CANCELLED)
    paid = invoices.filter(amount_paid__gt=0).exists()
    if paid or shipments.filter(status=ShipmentStatus.DELIVERED).exists():
        raise DomainError(
            _(
                "The order can no longer be cancelled: the customer has paid for it or received "
                "goods. Mark it completed when nothing more will be invoiced or shipped."
            ),
            code="order_has_documents",
        )
    if invoices.exists() or shipments.exists():
        raise DomainError(
            _(
                "The order has invoices or shipments that are not cancelled: cancel them first, "
                "then the order."
            ),
            code="order_has_documents",
        )


# Document settings (administrators) -----------------------------------------------------------
def number_sequence_save(*, actor, sequence):
    """Save a sequence's prefix, digits, next number and yearly restart."""
    from rapport.core.services import require_administrator

    require_administrator(actor)
    with transaction.atomic():
        before = None
        if sequence.pk:
            before = snapshot(type(sequence).objects.select_for_update().get(pk=sequence.pk))
        if "{year}" not in sequence.prefix and sequence.restarts_yearly:
            raise ValidationError(
                {"prefix": _("A sequence that restarts every year needs {year} in its prefix.")}
            )
        sequence.full_clean()
        sequence.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            obj=sequence,
            before=before,
            after=snapshot(sequence),
        )
    return sequence


def seller_details_save(*, actor, details):
    from rapport.core.services import require_administrator

    require_administrator(actor)
    with transaction.atomic():
        before = snapshot(type(details).objects.select_for_update().get(pk=details.pk))
        details.full_clean()
        details.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=details,
            before=before,
            after=snapshot(details),
        )
    return details
