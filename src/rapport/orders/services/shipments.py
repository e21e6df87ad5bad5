"""Shipment writes: partial shipments of an order, then shipped, delivered or cancelled.

Shipping takes the goods out of stock (``catalog.stock``) in the same transaction; cancelling a
shipped shipment (marked shipped by mistake, or the goods never left) puts them back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.catalog.stock import quantities_by_product, stock_put_back, stock_take_out
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change
from rapport.orders.choices import SHIPMENT_MOVES, DocumentKind, OrderStatus, ShipmentStatus
from rapport.orders.models import Order, Shipment, ShipmentLine
from rapport.orders.numbering import allocate_number
from rapport.orders.services.invoices import chosen_quantities
from rapport.orders.services.orders import check_move, lock_order, order_refresh

DETAIL_FIELDS = ("planned_on", "carrier", "tracking_number", "address", "note")


def _labels():
    return {"document": _("shipment"), "choices": lambda v: ShipmentStatus(v).label}


def shipment_create(*, actor, order: Order, lines: list[dict] | None = None, **details) -> Shipment:
    """A planned shipment of ``order``: everything not yet shipped (``lines`` None) or the chosen
    quantities, each no more than ordered minus already in shipments."""
    with transaction.atomic():
        order = lock_order(actor, order)
        chosen = chosen_quantities(
            order, lines, remaining=lambda line: line.quantity - line.quantity_shipped
        )
        shipment = Shipment(
            order=order,
            owner_id=order.owner_id,
            team_id=order.team_id,
            **{k: v for k, v in details.items() if k in DETAIL_FIELDS},
        )
        shipment.full_clean()
        shipment.save()
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, order_line=line, quantity=q) for line, q in chosen]
        )
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=shipment,
            after=snapshot(shipment),
            parent=order,
        )
        order_refresh(actor=actor, order=order)
        ensure_in_scope(actor, shipment)
        events.emit("shipment.created", id=shipment.pk)
    return shipment


def _goods(shipment: Shipment) -> dict:
    """{product id: quantity} of the shipment's lines."""
    rows = ShipmentLine.objects.filter(shipment=shipment).values_list(
        "order_line__product_id", "quantity"
    )
    return quantities_by_product(rows)


def _move(actor, shipment: Shipment, status: str, *, if_match=None, **dates) -> Shipment:
    with transaction.atomic():
        shipment = lock_for_change(actor, shipment, if_match=if_match)
        check_move(SHIPMENT_MOVES, shipment.status, status, _labels())
        order = lock_for_change(actor, shipment.order)
        goods_back = (shipment.status, status) == (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED)
        if goods_back and order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
            raise DomainError(
                _(
                    "The order is %(status)s, so its shipments can no longer be cancelled. If "
                    "goods came back, an administrator can correct the stock level on the "
                    "product card."
                )
                % {"status": order.get_status_display()},
                code="order_closed",
            )
        before = snapshot(shipment)
        if status == ShipmentStatus.SHIPPED:
            shipment.number = allocate_number(DocumentKind.SHIPMENT)
        shipment.status = status
        for name, value in dates.items():
            setattr(shipment, name, value)
        shipment.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=shipment,
            before=before,
            after=snapshot(shipment),
        )
        if status == ShipmentStatus.SHIPPED:
            stock_take_out(actor=actor, quantities=_goods(shipment), document=shipment)
        elif goods_back:
            stock_put_back(actor=actor, quantities=_goods(shipment), document=shipment)
        order_refresh(actor=actor, order=order)
        ensure_in_scope(actor, shipment)
        events.emit("shipment.status_changed", id=shipment.pk, status=status)
    return shipment


def shipment_ship(*, actor, shipment: Shipment, shipped_on=None, if_match=None) -> Shipment:
    """Number the shipment and take its goods out of stock (a level may go below zero: see
    ``catalog.stock``)."""
    return _move(
        actor,
        shipment,
        ShipmentStatus.SHIPPED,
        if_match=if_match,
        shipped_on=shipped_on or timezone.localdate(),
    )


def shipment_deliver(*, actor, shipment: Shipment, delivered_on=None, if_match=None) -> Shipment:
    return _move(
        actor,
        shipment,
        ShipmentStatus.DELIVERED,
        if_match=if_match,
        delivered_on=delivered_on or timezone.localdate(),
    )


def shipment_cancel(*, actor, shipment: Shipment, if_match=None) -> Shipment:
    """Cancel a planned shipment, or a shipped one whose goods never left or came back before
    delivery: its quantities may be shipped again, and a shipped one's goods go back into
    stock. Refused once delivered, and for a shipped one once the order is closed."""
    return _move(actor, shipment, ShipmentStatus.CANCELLED, if_match=if_match)
