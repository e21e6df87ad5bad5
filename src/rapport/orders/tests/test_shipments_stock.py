"""Shipping takes stocked goods out of stock, cancelling a shipped shipment puts them back; the
level may go below zero (shown, never refused), and two shipments at once count right."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from rapport.catalog.models import Product
from rapport.catalog.services import product_create, product_update
from rapport.catalog.stock import stock_take_out
from rapport.core import events
from rapport.core.errors import DomainError, StaleWrite
from rapport.core.models import ChangeRecord
from rapport.orders.models import Shipment
from rapport.orders.services.orders import order_move
from rapport.orders.services.shipments import (
    shipment_cancel,
    shipment_create,
    shipment_deliver,
    shipment_ship,
)
from tests.app_rules.orders_documents import make_order

D = Decimal
LINES = [
    ("Router", "4", "100.00", "0", "21"),
    ("Cable", "10", "1.00", "0", "21"),
    ("Setup", "2", "50.00", "0", "21"),
    ("Delivery", "1", "20.00", "0", "21"),
]


def stocked_order(world, key="own", *, router_stock="5"):
    """An order of a stocked router, a cable not kept in stock, a service (which an
    administrator gave a level by mistake) and a free-text delivery line."""
    admin = world.users["admin"]
    products = {
        "Router": Product.objects.filter(sku="R-1").first()
        or product_create(actor=admin, name="Router", sku="R-1", stock_level=D(router_stock)),
        "Cable": Product.objects.filter(sku="C-1").first()
        or product_create(actor=admin, name="Cable", sku="C-1", unit="m"),
        "Setup": Product.objects.filter(sku="S-1").first()
        or product_create(actor=admin, name="Setup", sku="S-1", kind="service", stock_level=D(3)),
    }
    order = make_order(world, key, lines=LINES)
    for line in order.lines.all():
        if line.description in products:
            line.product = products[line.description]
            line.save(update_fields=["product"])
    return order, products


def level(product) -> Decimal | None:
    return Product.objects.values_list("stock_level", flat=True).get(pk=product.pk)


def stock_records(product):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Product), object_id=product.pk
    ).order_by("pk")


def test_shipping_takes_only_stocked_goods_out_of_stock_and_logs_it(
    world, django_capture_on_commit_callbacks
):
    rep = world.users["rep"]
    order, products = stocked_order(world)
    router = order.lines.get(description="Router")
    seen = []
    events.subscribe("product.stock_changed", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            shipment = shipment_create(
                actor=rep, order=order, lines=[{"order_line": router, "quantity": 3}]
            )
            assert level(products["Router"]) == 5  # planning moves nothing
            shipment_ship(actor=rep, shipment=shipment)
    finally:
        events.unsubscribe("product.stock_changed", seen.append)
    assert level(products["Router"]) == 2
    record = stock_records(products["Router"]).last()
    assert (record.before, record.after) == ({"stock_level": "5.000"}, {"stock_level": "2.000"})
    assert record.actor == rep and record.parent_object_id == shipment.pk
    assert [e.payload["stock_level"] for e in seen] == ["2.000"]

    rest = shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order))
    assert level(products["Router"]) == 1
    assert level(products["Cable"]) is None  # not kept in stock
    assert level(products["Setup"]) == 3  # a service is never counted
    assert not stock_records(products["Setup"]).filter(action="update").exists()
    shipment_deliver(actor=rep, shipment=rest)
    assert level(products["Router"]) == 1  # delivering moves nothing more


def test_cancelling_a_shipped_shipment_puts_the_goods_back(world):
    rep = world.users["rep"]
    order, products = stocked_order(world)
    planned = shipment_create(actor=rep, order=order)
    shipment_cancel(actor=rep, shipment=planned)
    assert level(products["Router"]) == 5  # a planned one never took anything
    shipped = shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order))
    assert level(products["Router"]) == 1
    shipment_cancel(actor=rep, shipment=shipped)
    assert level(products["Router"]) == 5
    assert [r.after["stock_level"] for r in stock_records(products["Router"])][-2:] == [
        "1.000",
        "5.000",
    ]
    order.refresh_from_db()
    assert all(line.quantity_shipped == 0 for line in order.lines.all())


def test_shipping_more_than_in_stock_is_allowed_and_goes_below_zero(world):
    rep = world.users["rep"]
    order, products = stocked_order(world, router_stock="1")
    shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order))
    assert level(products["Router"]) == -3
    # The product still saves (renamed by an administrator) although its level is below zero;
    # typing a negative level in is still refused.
    admin = world.users["admin"]
    product_update(actor=admin, product=products["Router"], name="Router R-1")
    assert level(products["Router"]) == -3
    with pytest.raises(Exception, match="cannot be negative"):
        product_update(actor=admin, product=products["Router"], stock_level=D(-5))
    product_update(actor=admin, product=products["Router"], stock_level=D(7))  # counted
    assert level(products["Router"]) == 7


def test_a_shipped_shipment_of_a_completed_order_is_not_cancelled(world):
    rep = world.users["rep"]
    order, products = stocked_order(world)
    shipped = shipment_ship(actor=rep, shipment=shipment_create(actor=rep, order=order))
    order_move(actor=rep, order=order, status="completed")
    records = ChangeRecord.objects.count()
    with pytest.raises(DomainError, match="an administrator can correct the stock level"):
        shipment_cancel(actor=rep, shipment=shipped)
    shipped.refresh_from_db()
    assert shipped.status == "shipped" and level(products["Router"]) == 1
    assert ChangeRecord.objects.count() == records


def test_a_refused_ship_moves_no_stock(world):
    rep = world.users["rep"]
    order, products = stocked_order(world)
    shipment = shipment_create(actor=rep, order=order)
    with pytest.raises(StaleWrite):
        shipment_ship(actor=rep, shipment=shipment, if_match='"0-0"')
    with pytest.raises(DomainError):  # not the rep's order: out of scope
        shipment_ship(actor=world.users["outsider"], shipment=shipment)
    assert level(products["Router"]) == 5
    assert Shipment.objects.get(pk=shipment.pk).status == "planned"


@pytest.mark.django_db(transaction=True)
def test_two_shipments_at_once_count_right():
    """A shipment waits for the other's lock on the product instead of reading a level about to
    change: without the lock the second one would write 5 − 2 = 3 over the first one's 1.

    On SQLite a writing transaction starts IMMEDIATE, which already makes the second writer wait
    for the first to commit (the tests' in-memory database cannot hold two connections'
    transactions at once, so there the test checks that setting)."""
    if not connection.features.has_select_for_update:
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    from conftest import build_world

    world = build_world()
    rep = world.users["rep"]
    first, products = stocked_order(world)
    second, _products = stocked_order(world)
    router = products["Router"]
    two = [{"order_line": second.lines.get(description="Router"), "quantity": 2}]
    waiting = shipment_create(actor=rep, order=second, lines=two)
    locked, release, errors = threading.Event(), threading.Event(), []

    def other_shipment():
        # Another shipment holds the router's row (it took 4 out) and commits a moment later.
        try:
            with transaction.atomic():
                stock_take_out(actor=rep, quantities={router.pk: D(4)}, document=first)
                locked.set()
                release.wait(timeout=5)
        except Exception as exc:  # reported by the test below
            errors.append(exc)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_shipment)
    thread.start()
    assert locked.wait(timeout=10)
    timer = threading.Timer(0.5, release.set)
    timer.start()
    shipment_ship(actor=rep, shipment=waiting)  # waits for the other transaction's commit
    thread.join(timeout=10)
    timer.cancel()
    assert not errors, errors
    assert level(router) == D(5) - 4 - 2
