"""Who may use each route and API operation of the catalog app.

The catalogue is reference data: everyone signed in reads it, administrators change it. The
companies of a customer group are listed within the reader's scope of companies."""

from __future__ import annotations

from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)
from tests.permission_base import WRITE, Route, api_routes

RULES: dict = {
    # Everyone signed in reads; only administrators write (price lists: list and prices).
    "catalog": lambda role, key, method: (
        role == "admin" if method in WRITE else role != "anonymous"
    ),
}

PRODUCT = {
    "kind": "product",
    "name": "Matrix gadget",
    "sku": "MX-NEW",
    "unit": "pcs",
    "tax_rate": "21",
    "cost_price": "5.00",
    "cost_currency": "EUR",
    "stock_level": "3",
    "is_active": "on",
}
PRICE_LIST = {"name": "Matrix USD", "currency": "USD", "is_active": "on"}
RULE = {"name": "Matrix bulk", "kind": "quantity", "min_quantity": "50", "percent": "7"}


def _item(w, k, a):
    return {"product": w.catalog["product2"], "min_quantity": "1", "price": "9.50"}


def _item_edit(w, k, a):
    return {"product": w.catalog["product"], "min_quantity": "1", "price": "11.00"}


WEB: dict[str, Route] = {
    "catalog:product_list": Route("user", query="q=Matrix&sort=-sku"),
    "catalog:product_autocomplete": Route("user", query="q=Matrix"),
    "catalog:product_detail": Route("user", obj="product"),
    "catalog:product_create": Route("admin", ("GET", "POST"), data=lambda w, k, a: PRODUCT),
    "catalog:product_update": Route(
        "admin", ("GET", "POST"), obj="product", data=lambda w, k, a: {**PRODUCT, "sku": "MX-1"}
    ),
    "catalog:product_delete": Route("admin", ("GET", "POST"), obj="product"),
    "catalog:pricelist_list": Route("catalog", ("GET", "POST"), data=lambda w, k, a: PRICE_LIST),
    "catalog:pricelist_detail": Route("catalog", ("GET", "POST"), obj="price_list", data=_item),
    "catalog:pricelist_update": Route(
        "admin",
        ("GET", "POST"),
        obj="price_list",
        data=lambda w, k, a: {"name": "Matrix EUR renamed", "currency": "EUR"},
    ),
    "catalog:pricelist_item_update": Route(
        "admin", ("GET", "POST"), obj="price_item", data=_item_edit
    ),
    "catalog:customergroup_list": Route(
        "admin", ("GET", "POST"), data=lambda w, k, a: {"name": "Matrix resellers"}
    ),
    "catalog:customergroup_detail": Route(
        "admin",
        ("GET", "POST"),
        obj="customer_group",
        data=lambda w, k, a: {"name": "Matrix dealers", "description": "Changed"},
    ),
    "catalog:customergroup_assign": Route(
        "admin",
        ("POST",),
        obj="empty_group",
        data=lambda w, k, a: {"companies": [w.companies[k].pk]},
    ),
    "catalog:customergroup_unassign": Route(
        "admin",
        ("POST",),
        obj="customer_group",
        extra_kwargs=lambda w, k: {"company_pk": w.companies[k].pk},
    ),
    "catalog:discountrule_list": Route("admin", ("GET", "POST"), data=lambda w, k, a: RULE),
    "catalog:discountrule_update": Route(
        "admin", ("GET", "POST"), obj="discount_rule", data=lambda w, k, a: RULE
    ),
    "catalog:discountlimit_list": Route(
        "admin", ("GET", "POST"), data=lambda w, k, a: {"role": "sales_rep", "max_percent": "8"}
    ),
    "catalog:discountlimit_update": Route(
        "admin",
        ("GET", "POST"),
        obj="discount_limit",
        data=lambda w, k, a: {"role": "head", "max_percent": "30"},
    ),
    "catalog:exchangerate_list": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {"currency": "GBP", "valid_from": "2026-01-01", "rate": "1.17"},
    ),
    "catalog:exchangerate_update": Route(
        "admin",
        ("GET", "POST"),
        obj="exchange_rate",
        data=lambda w, k, a: {"currency": "USD", "valid_from": "2026-01-01", "rate": "0.91"},
    ),
}


def _crud(path: str, obj: str, create, update) -> dict:
    routes = {
        **api_routes(f"{path}", "user", ("GET",)),
        **api_routes(f"{path}", "admin", ("POST",), data=create),
        **api_routes(f"{path}{{id}}/", "user", ("GET",), obj=obj),
        **api_routes(f"{path}{{id}}/", "admin", ("PUT", "PATCH"), obj=obj, data=update),
        **api_routes(f"{path}{{id}}/", "admin", ("DELETE",), obj=obj),
    }
    return routes


API: dict = {
    **_crud(
        "/api/v1/products/",
        "product",
        lambda w, k, a: {"name": "API gadget", "sku": "API-1", "cost_price": "2.00"},
        lambda w, k, a: {"name": "Renamed gadget", "sku": "MX-1", "stock_level": "4"},
    ),
    **_crud(
        "/api/v1/price-lists/",
        "price_list",
        lambda w, k, a: {"name": "API GBP", "currency": "GBP"},
        lambda w, k, a: {"name": "Matrix EUR", "currency": "EUR", "valid_from": "2026-01-01"},
    ),
    **api_routes("/api/v1/price-lists/{id}/items/", "user", ("GET",), obj="price_list"),
    **api_routes(
        "/api/v1/price-lists/{id}/items/",
        "admin",
        ("POST",),
        obj="price_list",
        data=lambda w, k, a: {"product": w.catalog["product2"], "price": "3.00"},
    ),
    **_crud(
        "/api/v1/price-list-items/",
        "price_item",
        lambda w, k, a: {
            "price_list": w.catalog["price_list"],
            "product": w.catalog["product"],
            "min_quantity": "100",
            "price": "8.00",
        },
        lambda w, k, a: {"product": w.catalog["product"], "min_quantity": "1", "price": "12.00"},
    ),
    **_crud(
        "/api/v1/customer-groups/",
        "customer_group",
        lambda w, k, a: {"name": "API group"},
        lambda w, k, a: {"name": "Matrix dealers", "description": "via API"},
    ),
    # Members are listed within the reader's companies (hidden_names proves it).
    **api_routes(
        "/api/v1/customer-groups/{id}/companies/",
        "user",
        ("GET",),
        obj="customer_group",
        hidden_names=True,
    ),
    **api_routes(
        "/api/v1/customer-groups/{id}/companies/",
        "admin",
        ("POST",),
        obj="empty_group",
        data=lambda w, k, a: {"companies": [w.companies[k].pk]},
    ),
    **api_routes(
        "/api/v1/customer-groups/{id}/remove-companies/",
        "admin",
        ("POST",),
        obj="customer_group",
        data=lambda w, k, a: {"companies": [w.companies[k].pk]},
    ),
    **_crud(
        "/api/v1/discount-rules/",
        "discount_rule",
        lambda w, k, a: {
            "name": "API rule",
            "kind": "quantity",
            "min_quantity": "20",
            "percent": "3",
        },
        lambda w, k, a: {
            "name": "Renamed",
            "kind": "quantity",
            "min_quantity": "10",
            "percent": "6",
        },
    ),
    **_crud(
        "/api/v1/discount-limits/",
        "discount_limit",
        lambda w, k, a: {"role": "director", "max_percent": "100"},
        lambda w, k, a: {"role": "head", "max_percent": "20"},
    ),
    **_crud(
        "/api/v1/exchange-rates/",
        "exchange_rate",
        lambda w, k, a: {"currency": "PLN", "valid_from": "2026-01-01", "rate": "0.23"},
        lambda w, k, a: {"currency": "USD", "valid_from": "2026-01-01", "rate": "0.93"},
    ),
}


COUNTED: list = [
    Product,
    PriceList,
    PriceListItem,
    CustomerGroup,
    CustomerGroupMembership,
    DiscountRule,
    DiscountLimit,
    ExchangeRate,
]
STAMPED: list = list(COUNTED)


def prepare(world) -> dict[str, dict[str, int]]:
    """One of each catalogue record (everyone reads them alike, so every key points at the
    same ones); the dealers group holds the world's three companies."""
    import datetime
    from decimal import Decimal

    from rapport.catalog import services

    admin = world.users["admin"]
    product = services.product_create(actor=admin, name="Matrix widget", sku="MX-1")
    product2 = services.product_create(actor=admin, name="Matrix service", kind="service")
    price_list = services.price_list_create(actor=admin, name="Matrix EUR", currency="EUR")
    item = services.price_list_item_create(
        actor=admin, price_list=price_list, product=product, price=Decimal("10.00")
    )
    group = services.customer_group_create(actor=admin, name="Matrix dealers")
    empty_group = services.customer_group_create(actor=admin, name="Matrix newcomers")
    services.customer_group_assign(actor=admin, group=group, companies=world.companies.values())
    rule = services.discount_rule_create(
        actor=admin, name="Matrix dealers", kind="customer_group", customer_group=group, percent=5
    )
    limit = services.discount_limit_create(actor=admin, role="head", max_percent=Decimal(25))
    rate = services.exchange_rate_create(
        actor=admin, currency="USD", valid_from=datetime.date(2026, 1, 1), rate=Decimal("0.92")
    )
    world.catalog = {
        "product": product.pk,
        "product2": product2.pk,
        "price_list": price_list.pk,
        "price_item": item.pk,
        "customer_group": group.pk,
        "empty_group": empty_group.pk,
        "discount_rule": rule.pk,
        "discount_limit": limit.pk,
        "exchange_rate": rate.pk,
    }
    return {key: dict(world.catalog) for key in ("own", "team", "foreign")}
