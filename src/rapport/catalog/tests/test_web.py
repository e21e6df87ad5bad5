"""Catalogue pages: everyone reads the catalogue, administrators keep it; bad input is answered
on the form and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from rapport.catalog import services
from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def catalogue(world):
    admin = world.users["admin"]
    router = services.product_create(
        actor=admin, name="Router R-200", sku="NET-R200", stock_level=Decimal(42)
    )
    services.product_create(actor=admin, name="Antenna", sku="ZZ-ANT", is_active=False)
    install = services.product_create(
        actor=admin, name="Installation", sku="SRV-INST", kind="service", unit="h"
    )
    base = services.price_list_create(actor=admin, name="Base EUR", currency="EUR")
    usd = services.price_list_create(actor=admin, name="Base USD", currency="USD")
    for price_list, quantity, price in (
        (base, 1, "100.00"),
        (base, 10, "95.00"),
        (usd, 1, "109.00"),
    ):
        services.price_list_item_create(
            actor=admin,
            price_list=price_list,
            product=router,
            min_quantity=Decimal(quantity),
            price=Decimal(price),
        )
    return {"router": router, "install": install, "base": base, "usd": usd}


def test_everyone_reads_the_list_with_filters_and_sorting(world, catalogue):
    client = client_for(world.users["rep"])
    page = client.get(reverse("catalog:product_list")).content.decode()
    assert "Router R-200" in page and "Installation" in page and "Antenna" in page
    page = client.get(reverse("catalog:product_list"), {"kind": "service"}).content.decode()
    assert "Installation" in page and "Router R-200" not in page
    page = client.get(reverse("catalog:product_list"), {"is_active": "false"}).content.decode()
    assert "Antenna" in page and "Router R-200" not in page
    page = client.get(reverse("catalog:product_list"), {"q": "net-r2"}).content.decode()
    assert "Router R-200" in page and "Installation" not in page
    page = client.get(reverse("catalog:product_list"), {"sort": "-sku"}).content.decode()
    assert page.index("ZZ-ANT") < page.index("SRV-INST") < page.index("NET-R200")
    # Not an administrator: no "New" button, and the form is not found.
    assert reverse("catalog:product_create") not in page
    assert client.get(reverse("catalog:product_create")).status_code == 404
    # The top bar has the catalogue for everyone; its settings only for administrators.
    assert 'href="/catalog/products/"' in page
    assert reverse("catalog:discountrule_list") not in page
    admin_page = client_for(world.users["admin"]).get(reverse("catalog:product_list"))
    assert reverse("catalog:discountrule_list") in admin_page.content.decode()


def test_product_card_shows_prices_per_list_and_stock(world, catalogue):
    client = client_for(world.users["auditor"])
    response = client.get(reverse("catalog:product_detail", args=[catalogue["router"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Base EUR" in page and "Base USD" in page
    assert "95.00 EUR" in page and "109.00 USD" in page
    assert 'id="stock-level">42' in page


def test_admin_creates_and_edits_a_product_and_bad_input_saves_nothing(world, catalogue):
    client = client_for(world.users["admin"])
    data = {
        "kind": "product",
        "name": "Switch",
        "sku": "NET-R200",
        "unit": "pcs",
        "tax_rate": "21",
        "cost_price": "-3",
        "cost_currency": "EUR",
        "is_active": "on",
    }
    before = Product.objects.count()
    response = client.post(reverse("catalog:product_create"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Another product already has this SKU." in page
    assert "A cost price cannot be negative." in page
    assert Product.objects.count() == before
    response = client.post(
        reverse("catalog:product_create"), {**data, "sku": "NET-SW24", "cost_price": "30"}
    )
    switch = Product.objects.get(sku="NET-SW24")
    assert response.status_code == 302 and response["Location"] == switch.get_absolute_url()
    response = client.post(
        reverse("catalog:product_update", args=[switch.pk]),
        {**data, "sku": "NET-SW24", "cost_price": "30", "stock_level": "12"},
    )
    switch.refresh_from_db()
    assert switch.stock_level == 12


def test_deleting_a_product_in_use_explains_why(world, catalogue):
    from rapport.orders.models import Order, OrderLine

    router = catalogue["router"]
    order = Order.objects.create(company=world.companies["own"], owner=world.users["rep"])
    OrderLine.objects.create(order=order, product=router, description="Router", quantity=1)
    client = client_for(world.users["admin"])
    response = client.post(reverse("catalog:product_delete", args=[router.pk]), follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Product.objects.filter(pk=router.pk).exists()
    assert PriceListItem.objects.filter(product=router).count() == 3
    install = catalogue["install"]
    response = client.post(reverse("catalog:product_delete", args=[install.pk]))
    assert response.status_code == 302
    assert not Product.objects.filter(pk=install.pk).exists()


def test_price_list_items_added_edited_and_removed(world, catalogue):
    base, install = catalogue["base"], catalogue["install"]
    rep_page = client_for(world.users["rep"]).get(base.get_absolute_url())
    assert rep_page.status_code == 200 and "95.00" in rep_page.content.decode()
    assert 'id="catalog-form"' not in rep_page.content.decode()  # readers get no form
    client = client_for(world.users["admin"])
    url = reverse("catalog:pricelist_detail", args=[base.pk])
    before = PriceListItem.objects.count()
    response = client.post(url, {"product": install.pk, "min_quantity": "1", "price": "-40"})
    assert response.status_code == 422
    assert "A price cannot be negative." in response.content.decode()
    assert PriceListItem.objects.count() == before
    response = client.post(url, {"product": install.pk, "min_quantity": "1", "price": "40"})
    assert response.status_code == 302
    item = PriceListItem.objects.get(price_list=base, product=install)
    edit = reverse("catalog:pricelist_item_update", args=[item.pk])
    client.post(edit, {"product": install.pk, "min_quantity": "5", "price": "38"})
    item.refresh_from_db()
    assert (item.min_quantity, item.price) == (Decimal(5), Decimal("38.00"))
    client.post(edit, {"delete": "1"})
    assert not PriceListItem.objects.filter(pk=item.pk).exists()


def test_price_list_with_dates_in_the_wrong_order(world):
    client = client_for(world.users["admin"])
    response = client.post(
        reverse("catalog:pricelist_list"),
        {
            "name": "Summer",
            "currency": "EUR",
            "valid_from": "2026-08-31",
            "valid_until": "2026-06-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    assert "The end of validity cannot be before its start." in response.content.decode()
    assert not PriceList.objects.exists()
    # A reader may see the list of price lists but not create one.
    rep = client_for(world.users["rep"])
    assert rep.get(reverse("catalog:pricelist_list")).status_code == 200
    assert rep.post(reverse("catalog:pricelist_list"), {"name": "X"}).status_code == 404


def test_discount_above_100_and_bad_rates_are_refused(world):
    client = client_for(world.users["admin"])
    response = client.post(
        reverse("catalog:discountrule_list"),
        {"name": "Huge", "kind": "quantity", "min_quantity": "5", "percent": "150"},
    )
    assert response.status_code == 422
    assert "Enter a percentage between 0 and 100." in response.content.decode()
    assert not DiscountRule.objects.exists()
    response = client.post(
        reverse("catalog:exchangerate_list"),
        {"currency": "USD", "valid_from": "2026-01-01", "rate": "0"},
    )
    assert response.status_code == 422
    assert "An exchange rate must be more than zero." in response.content.decode()
    assert not ExchangeRate.objects.exists()
    client.post(reverse("catalog:discountlimit_list"), {"role": "sales_rep", "max_percent": "10"})
    page = client.get(reverse("catalog:discountlimit_list")).content.decode()
    assert "sales rep" in page and "10" in page


def test_companies_join_and_leave_a_customer_group(world):
    admin = world.users["admin"]
    client = client_for(admin)
    response = client.post(reverse("catalog:customergroup_list"), {"name": "Dealers"})
    group = CustomerGroup.objects.get()
    assert response["Location"] == reverse("catalog:customergroup_detail", args=[group.pk])
    own, foreign = world.companies["own"], world.companies["foreign"]
    response = client.post(
        reverse("catalog:customergroup_assign", args=[group.pk]),
        {"companies": [own.pk, foreign.pk]},
    )
    assert response.status_code == 302
    page = client.get(reverse("catalog:customergroup_detail", args=[group.pk])).content.decode()
    assert own.name in page and foreign.name in page
    assert 'data-autocomplete="/companies/autocomplete/"' in page
    response = client.post(
        reverse("catalog:customergroup_assign", args=[group.pk]), {"companies": ["999999"]}
    )
    assert response.status_code == 422
    assert "not available" in response.content.decode()
    client.post(reverse("catalog:customergroup_unassign", args=[group.pk, own.pk]))
    assert list(CustomerGroupMembership.objects.values_list("company_id", flat=True)) == [
        foreign.pk
    ]
    list_page = client.get(reverse("catalog:customergroup_list")).content.decode()
    assert "Dealers" in list_page


def test_saving_an_open_product_form_keeps_the_stock_a_shipment_changed(world, catalogue):
    """The form was opened at 42; a shipment took 2 out meanwhile. Saving the form with the
    level untouched keeps 40; a level the administrator typed (a count) replaces it."""
    from rapport.catalog.stock import stock_take_out

    router = catalogue["router"]
    client = client_for(world.users["admin"])
    url = reverse("catalog:product_update", args=[router.pk])
    form = client.get(url).content.decode()
    assert 'name="stock_level_shown" value="42.000"' in form
    assert "Shipments lower it" in form
    stock_take_out(actor=world.users["rep"], quantities={router.pk: Decimal(2)}, document=router)
    data = {
        "kind": "product",
        "name": "Router R-200 v2",
        "sku": "NET-R200",
        "unit": "pcs",
        "tax_rate": "21",
        "cost_price": "0",
        "cost_currency": "EUR",
        "stock_level": "42",
        "stock_level_shown": "42.000",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    router.refresh_from_db()
    assert (router.name, router.stock_level) == ("Router R-200 v2", Decimal(40))
    assert client.post(url, {**data, "stock_level": "39"}).status_code == 302
    router.refresh_from_db()
    assert router.stock_level == Decimal(39)


def test_a_level_below_zero_is_shown_in_red_and_the_product_still_saves(world, catalogue):
    from rapport.catalog.stock import stock_take_out

    router = catalogue["router"]
    stock_take_out(actor=world.users["rep"], quantities={router.pk: Decimal(45)}, document=router)
    rep = client_for(world.users["rep"])
    page = rep.get(reverse("catalog:product_list")).content.decode()
    assert '<td class="text-end text-danger fw-semibold">-3</td>' in page
    card = rep.get(reverse("catalog:product_detail", args=[router.pk])).content.decode()
    assert "Below zero: more was shipped than the stock level showed." in card
    admin = client_for(world.users["admin"])
    url = reverse("catalog:product_update", args=[router.pk])
    data = {
        "kind": "product",
        "name": "Router R-200",
        "sku": "NET-R200",
        "unit": "pcs",
        "tax_rate": "21",
        "cost_price": "5",
        "cost_currency": "EUR",
        "stock_level": "-3",
        "stock_level_shown": "-3.000",
        "is_active": "on",
    }
    assert admin.post(url, data).status_code == 302
    router.refresh_from_db()
    assert (router.cost_price, router.stock_level) == (Decimal(5), Decimal(-3))
    response = admin.post(url, {**data, "stock_level": "-4"})
    assert response.status_code == 422
    assert "A stock level cannot be negative." in response.content.decode()
    router.refresh_from_db()
    assert router.stock_level == Decimal(-3)
