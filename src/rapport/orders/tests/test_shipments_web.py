"""The shipments list (scope, filters, sorts, the Documents menu) and the shipment card's stock:
what is short before shipping, the warning after it, cancelling a shipped one."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from rapport.catalog.models import Product
from rapport.orders.models import Shipment
from rapport.orders.services.shipments import shipment_create, shipment_ship
from rapport.orders.tests.test_shipments_stock import level, stocked_order
from tests.app_rules.orders_documents import make_order


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _numbers(page: str, shipments) -> list[str]:
    """Which of ``shipments`` the page lists, in the page's order."""
    labels = {s.number or f"#{s.pk}": s for s in shipments}
    found = [(page.find(f">{label}<"), label) for label in labels]
    found += [(page.find(f"Planned #{s.pk}<"), f"#{s.pk}") for s in shipments if not s.number]
    return [label for position, label in sorted(found) if position >= 0]


def test_the_list_shows_the_users_shipments_with_filters_and_sorts(world):
    rep = world.users["rep"]
    mine = make_order(world)
    widget = mine.lines.get(description="Widget")
    one = [{"order_line": widget, "quantity": 1}]
    early = shipment_ship(
        actor=rep,
        shipment=shipment_create(actor=rep, order=mine, lines=one, carrier="DHL"),
        shipped_on=datetime.date(2026, 1, 10),
    )
    late = shipment_ship(
        actor=rep,
        shipment=shipment_create(actor=rep, order=mine, lines=one, carrier="DPD"),
        shipped_on=datetime.date(2026, 2, 20),
    )
    planned = shipment_create(
        actor=rep, order=mine, lines=one, planned_on=datetime.date(2026, 3, 1)
    )
    teammate = world.users["teammate"]
    team_order = make_order(world, "team")
    theirs = shipment_create(actor=teammate, order=team_order)
    outsider = world.users["outsider"]
    foreign = shipment_ship(
        actor=outsider, shipment=shipment_create(actor=outsider, order=make_order(world, "foreign"))
    )
    client = _client(rep)
    url = reverse("orders:shipment_list")

    page = client.get(url).content.decode()
    assert "Own Customer SIA" in page and "Team Customer OOO" in page
    assert foreign.number not in page and "Foreign Customer TOV" not in page
    assert "Widget × 1" in page and "DHL" in page
    # Newest first by default.
    assert _numbers(page, [early, late, planned, theirs]) == [
        f"#{theirs.pk}",
        f"#{planned.pk}",
        late.number,
        early.number,
    ]
    page = client.get(url + "?status=shipped&sort=shipped").content.decode()
    assert _numbers(page, [early, late, planned]) == [early.number, late.number]
    page = client.get(url + "?shipped_from=2026-02-01&shipped_to=2026-02-28").content.decode()
    assert _numbers(page, [early, late, planned]) == [late.number]
    page = client.get(url + "?planned_from=2026-03-01").content.decode()
    assert _numbers(page, [early, late, planned, theirs]) == [f"#{planned.pk}"]
    page = client.get(url + "?q=team customer").content.decode()
    assert _numbers(page, [early, late, planned, theirs]) == [f"#{theirs.pk}"]
    page = client.get(url + f"?company={world.companies['own'].pk}&sort=number").content.decode()
    assert "Team Customer OOO" not in page and early.number in page
    page = client.get(url + f"?q={mine.number}").content.decode()
    assert _numbers(page, [early, late, planned, theirs]) == [
        f"#{planned.pk}",
        late.number,
        early.number,
    ]
    page = client.get(url + "?per_page=1&page=2").content.decode()
    assert _numbers(page, [early, late, planned, theirs]) == [f"#{planned.pk}"]
    # A bad date is a form error, not a crash, and lists nothing.
    response = client.get(url + "?shipped_from=yesterday")
    assert response.status_code == 200 and "No shipments." in response.content.decode()
    # The foreign shipment is not found by anyone outside its scope, even by its id.
    detail = reverse("orders:shipment_detail", args=[foreign.pk])
    assert client.get(detail).status_code == 404


def test_the_documents_menu_links_the_list(world):
    page = _client(world.users["rep"]).get(reverse("orders:order_list")).content.decode()
    assert f'href="{reverse("orders:shipment_list")}"' in page and "Shipments" in page


def test_the_card_warns_before_shipping_more_than_in_stock_and_after(world):
    rep = world.users["rep"]
    order, products = stocked_order(world, router_stock="3")
    shipment = shipment_create(actor=rep, order=order)
    client = _client(rep)
    page = client.get(reverse("orders:shipment_detail", args=[shipment.pk])).content.decode()
    assert 'id="stock-short"' in page and "In stock" in page
    assert '<td class="text-end text-danger fw-semibold">3</td>' in page  # the router: 4 > 3

    response = client.post(
        reverse("orders:shipment_move", args=[shipment.pk]), {"to": "ship"}, follow=True
    )
    page = response.content.decode()
    assert "The shipment is now shipped." in page
    assert "Stock is now below zero for: Router (-1 pcs)." in page
    assert level(products["Router"]) == -1
    # Shipped: no stock column any more, and cancelling asks first (the goods go back).
    assert 'id="stock-short"' not in page and "Its goods go back into stock" in page

    catalogue = client.get(reverse("catalog:product_list")).content.decode()
    assert '<td class="text-end text-danger fw-semibold">-1</td>' in catalogue
    card = client.get(reverse("catalog:product_detail", args=[products["Router"].pk]))
    assert 'id="stock-below-zero"' in card.content.decode()

    client.post(reverse("orders:shipment_move", args=[shipment.pk]), {"to": "cancel"})
    assert Shipment.objects.get(pk=shipment.pk).status == "cancelled"
    assert level(products["Router"]) == 3


def test_enough_stock_means_no_warning(world):
    rep = world.users["rep"]
    order, products = stocked_order(world, router_stock="10")
    shipment = shipment_create(actor=rep, order=order)
    client = _client(rep)
    page = client.get(reverse("orders:shipment_detail", args=[shipment.pk])).content.decode()
    assert 'id="stock-short"' not in page and "In stock" in page
    response = client.post(
        reverse("orders:shipment_move", args=[shipment.pk]), {"to": "ship"}, follow=True
    )
    assert "below zero" not in response.content.decode()
    assert Product.objects.get(pk=products["Router"].pk).stock_level == Decimal(6)
