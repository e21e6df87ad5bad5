"""Shipments: partial, never more than ordered, planned → shipped → delivered, or cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.core.errors import DomainError
from rapport.orders.models import Shipment, ShipmentLine
from rapport.orders.services.shipments import (
    shipment_cancel,
    shipment_create,
    shipment_deliver,
    shipment_ship,
)
from tests.app_rules.orders_documents import make_order


def test_partial_shipment_then_ship_and_deliver(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    shipment = shipment_create(
        actor=rep, order=order, lines=[{"order_line": widget, "quantity": 3}], carrier="DHL"
    )
    widget.refresh_from_db()
    assert widget.quantity_shipped == 3 and shipment.status == "planned"
    order.refresh_from_db()
    assert order.status == "in_progress"
    shipment = shipment_ship(actor=rep, shipment=shipment)
    assert shipment.number == f"S-{timezone.localdate().year}-00001"
    assert shipment.shipped_on == timezone.localdate()
    shipment = shipment_deliver(actor=rep, shipment=shipment)
    assert shipment.status == "delivered" and shipment.delivered_on
    rest = shipment_create(actor=rep, order=order)
    assert {(x.order_line.description, x.quantity) for x in rest.lines.all()} == {
        ("Widget", Decimal("7.000")),
        ("Installation", Decimal("2.000")),
    }


def test_shipping_more_than_ordered_is_refused(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    shipment_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 9}])
    before = (Shipment.objects.count(), ShipmentLine.objects.count())
    with pytest.raises(ValidationError, match="at most 1"):
        shipment_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 2}])
    with pytest.raises(ValidationError, match="not a number"):
        shipment_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": "x"}])
    assert (Shipment.objects.count(), ShipmentLine.objects.count()) == before


def test_cancel_a_planned_or_shipped_shipment_but_not_a_delivered_one(world):
    rep = world.users["rep"]
    order = make_order(world)
    planned = shipment_create(actor=rep, order=order)
    shipment_cancel(actor=rep, shipment=planned)
    order.refresh_from_db()
    assert all(x.quantity_shipped == 0 for x in order.lines.all())
    shipped = shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order))
    with pytest.raises(DomainError, match="cannot go from"):
        shipment_ship(actor=rep, shipment=shipped)
    shipment_cancel(actor=rep, shipment=shipped)  # marked shipped by mistake
    assert all(x.quantity_shipped == 0 for x in order.lines.all())
    delivered = shipment_deliver(
        actor=rep,
        shipment=shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order)),
    )
    with pytest.raises(DomainError, match="cannot go from"):
        shipment_cancel(actor=rep, shipment=delivered)
    delivered.refresh_from_db()
    assert delivered.status == "delivered"
