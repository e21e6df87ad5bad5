"""The catalogue API: everyone reads, administrators write, errors are {"code","detail",
"fields"} with the catalogue's messages, and a refused or bad write changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from rapport.catalog import services
from rapport.catalog.models import (
    CustomerGroupMembership,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def router(world):
    return services.product_create(
        actor=world.users["admin"], name="Router", sku="NET-R200", stock_level=Decimal(4)
    )


def test_everyone_reads_products_with_filters_and_ordering(world, router):
    admin = world.users["admin"]
    services.product_create(actor=admin, name="Antenna", sku="ZZ-ANT", is_active=False)
    services.product_create(actor=admin, name="Setup", sku="SRV-1", kind="service")
    client = api(world.users["marketer"])
    names = [p["name"] for p in client.get("/api/v1/products/").json()["results"]]
    assert names == ["Antenna", "Router", "Setup"]
    body = client.get("/api/v1/products/", {"q": "net-r", "is_active": "true"}).json()
    assert [p["sku"] for p in body["results"]] == ["NET-R200"]
    assert body["results"][0]["stock_level"] == "4.000"
    body = client.get("/api/v1/products/", {"ordering": "-sku"}).json()
    assert [p["sku"] for p in body["results"]] == ["ZZ-ANT", "SRV-1", "NET-R200"]
    body = client.get("/api/v1/products/", {"kind": "service"}).json()
    assert [p["name"] for p in body["results"]] == ["Setup"]


def test_only_administrators_write(world, router):
    before = Product.objects.count()
    for role in ("director", "head", "rep", "auditor"):
        client = api(world.users[role])
        assert client.post("/api/v1/products/", {"name": "Mine"}).status_code == 403
        assert client.patch(f"/api/v1/products/{router.pk}/", {"name": "Mine"}).status_code == 403
        assert client.delete(f"/api/v1/products/{router.pk}/").status_code == 403
    assert Product.objects.count() == before
    client = api(world.users["admin"])
    response = client.post("/api/v1/products/", {"name": "Switch", "sku": "SW-1"})
    assert response.status_code == 201, response.content
    response = client.patch(f"/api/v1/products/{router.pk}/", {"stock_level": "9"})
    assert response.status_code == 200 and response.json()["stock_level"] == "9.000"


def test_bad_input_is_a_clear_error_and_saves_nothing(world, router):
    client = api(world.users["admin"])
    before = Product.objects.count()
    response = client.post(
        "/api/v1/products/", {"name": "Copy", "sku": "NET-R200", "cost_price": "-1"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "sku": ["Another product already has this SKU."],
        "cost_price": ["A cost price cannot be negative."],
    }
    assert Product.objects.count() == before
    response = client.post(
        "/api/v1/discount-rules/",
        {"name": "Huge", "kind": "quantity", "min_quantity": "1", "percent": "150"},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"percent": ["Enter a percentage between 0 and 100."]}
    assert not DiscountRule.objects.exists()
    response = client.post(
        "/api/v1/price-lists/",
        {"name": "S", "currency": "EUR", "valid_from": "2026-09-01", "valid_until": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "valid_until" in response.json()["fields"]
    assert not PriceList.objects.exists()
    response = client.post("/api/v1/exchange-rates/", {"currency": "USD", "rate": "-2"})
    assert response.json()["fields"] == {"rate": ["An exchange rate must be more than zero."]}
    assert not ExchangeRate.objects.exists()


def test_price_list_items_nested_and_flat(world, router):
    admin = world.users["admin"]
    price_list = services.price_list_create(actor=admin, name="Base EUR", currency="EUR")
    client = api(admin)
    url = f"/api/v1/price-lists/{price_list.pk}/items/"
    assert client.post(url, {"product": router.pk, "price": "100"}).status_code == 201
    response = client.post(url, {"product": router.pk, "min_quantity": "10", "price": "-90"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"price": ["A price cannot be negative."]}
    assert (
        client.post(url, {"product": router.pk, "min_quantity": "10", "price": "90"}).status_code
        == 201
    )
    rows = api(world.users["rep"]).get(url).json()["results"]
    assert [(r["min_quantity"], r["price"], r["sku"]) for r in rows] == [
        ("1.000", "100.00", "NET-R200"),
        ("10.000", "90.00", "NET-R200"),
    ]
    item = PriceListItem.objects.get(min_quantity=10)
    etag = client.get(f"/api/v1/price-list-items/{item.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/price-list-items/{item.pk}/", {"price": "88"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/price-list-items/{item.pk}/", {"price": "87"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412  # someone changed it after the ETag was read
    item.refresh_from_db()
    assert item.price == Decimal("88.00")
    by_product = client.get("/api/v1/price-list-items/", {"product": router.pk}).json()
    assert by_product["count"] == 2


def test_deleting_a_product_in_use_answers_400_with_a_reason(world, router):
    from rapport.orders.models import Order, OrderLine

    order = Order.objects.create(company=world.companies["own"], owner=world.users["rep"])
    OrderLine.objects.create(order=order, product=router, description="Router", quantity=1)
    response = api(world.users["admin"]).delete(f"/api/v1/products/{router.pk}/")
    assert response.status_code == 400
    assert response.json()["code"] == "protected"
    assert "Take it off sale instead" in response.json()["detail"]
    assert Product.objects.filter(pk=router.pk).exists()


def test_customer_group_companies(world):
    admin = world.users["admin"]
    group = services.customer_group_create(actor=admin, name="Dealers")
    client = api(admin)
    companies = [c.pk for c in world.companies.values()]
    response = client.post(
        f"/api/v1/customer-groups/{group.pk}/companies/", {"companies": companies}
    )
    assert response.status_code == 200 and response.json()["count"] == 3
    # A rep sees the members among the companies they may see, no others.
    rows = api(world.users["rep"]).get(f"/api/v1/customer-groups/{group.pk}/companies/").json()
    assert {r["company_name"] for r in rows["results"]} == {
        world.companies["own"].name,
        world.companies["team"].name,
    }
    response = client.post(
        f"/api/v1/customer-groups/{group.pk}/companies/", {"companies": [987654]}
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/customer-groups/{group.pk}/remove-companies/",
        {"companies": [world.companies["own"].pk]},
    )
    assert response.status_code == 204
    assert CustomerGroupMembership.objects.count() == 2
    response = client.delete(f"/api/v1/customer-groups/{group.pk}/")
    assert response.status_code == 204
    assert CustomerGroupMembership.objects.count() == 0
