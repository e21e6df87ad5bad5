"""Catalogue services: what an administrator changes is validated, logged and announced; bad
input gets a clear error and writes nothing; nobody else writes at all."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from rapport.catalog import services
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
from rapport.core import events
from rapport.core.changelog import history_for
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord

MODELS = [
    Product,
    PriceList,
    PriceListItem,
    CustomerGroup,
    CustomerGroupMembership,
    DiscountRule,
    DiscountLimit,
    ExchangeRate,
    ChangeRecord,
]


def counts():
    return [m.objects.count() for m in MODELS]


@pytest.fixture
def admin(world):
    return world.users["admin"]


@pytest.fixture
def product(admin):
    return services.product_create(
        actor=admin, name="Router", sku="R-1", cost_price=Decimal("10.00"), stock_level=5
    )


@pytest.fixture
def captured():
    seen = []

    def handler(event):
        seen.append((event.name, event.payload))

    events.subscribe("*", handler)
    yield seen
    events.unsubscribe("*", handler)


def messages_of(exc) -> dict:
    return {field: [str(m) for m in msgs] for field, msgs in exc.value.message_dict.items()}


@pytest.mark.django_db(transaction=True)
def test_product_create_update_delete_logs_and_announces(world, captured):
    admin = world.users["admin"]
    product = services.product_create(
        actor=admin, name="  Switch  ", sku=" SW-24 ", cost_price=Decimal("20"), stock_level=3
    )
    assert (product.name, product.sku) == ("Switch", "SW-24")
    services.product_update(actor=admin, product=product, stock_level=Decimal("7"))
    product.refresh_from_db()
    assert product.stock_level == Decimal("7")
    log = list(history_for([product]).order_by("pk"))
    assert [r.action for r in log] == ["create", "update"]
    assert Decimal(log[1].before["stock_level"]) == 3
    assert Decimal(log[1].after["stock_level"]) == 7
    services.product_delete(actor=admin, product=product)
    assert not Product.objects.filter(pk=product.pk).exists()
    assert [name for name, _p in captured if name.startswith("product.")] == [
        "product.created",
        "product.updated",
        "product.deleted",
    ]


def test_duplicate_sku_is_refused_and_nothing_saved(admin, product):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=admin, name="Other", sku="R-1")
    assert messages_of(exc) == {"sku": ["Another product already has this SKU."]}
    other = services.product_create(actor=admin, name="Other")  # an empty SKU is no duplicate
    services.product_create(actor=admin, name="Third")
    with pytest.raises(ValidationError):
        services.product_update(actor=admin, product=other, sku="R-1")
    other.refresh_from_db()
    assert other.sku == ""
    assert counts()[0] == before[0] + 2


def test_negative_prices_stock_and_bad_tax_are_refused(admin, product):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.product_create(
            actor=admin, name="Bad", cost_price=Decimal("-1"), stock_level=-2, tax_rate=150
        )
    errors = messages_of(exc)
    assert errors["cost_price"] == ["A cost price cannot be negative."]
    assert errors["stock_level"] == ["A stock level cannot be negative."]
    assert errors["tax_rate"] == ["Enter a percentage between 0 and 100."]
    price_list = services.price_list_create(actor=admin, name="Base", currency="EUR")
    with pytest.raises(ValidationError) as exc:
        services.price_list_item_create(
            actor=admin, price_list=price_list, product=product, price=Decimal("-5")
        )
    assert messages_of(exc) == {"price": ["A price cannot be negative."]}
    with pytest.raises(ValidationError) as exc:
        services.price_list_item_create(
            actor=admin, price_list=price_list, product=product, min_quantity=0, price=1
        )
    assert messages_of(exc) == {"min_quantity": ["The quantity must be more than zero."]}
    after = counts()
    assert after[PriceListItem_index()] == before[PriceListItem_index()]
    assert after[0] == before[0]


def PriceListItem_index():  # noqa: N802
    return MODELS.index(PriceListItem)


def test_quantity_breaks_and_duplicates(admin, product):
    price_list = services.price_list_create(actor=admin, name="Base", currency="EUR")
    for quantity, price in ((1, "10.00"), (10, "9.00"), (100, "8.00")):
        services.price_list_item_create(
            actor=admin,
            price_list=price_list,
            product=product,
            min_quantity=Decimal(quantity),
            price=Decimal(price),
        )
    with pytest.raises(ValidationError) as exc:
        services.price_list_item_create(
            actor=admin, price_list=price_list, product=product, min_quantity=10, price=5
        )
    assert "already has a price of this product from this quantity" in str(exc.value)
    assert PriceListItem.objects.filter(price_list=price_list).count() == 3
    # The change of a price is logged with its list as parent (the list's history shows it).
    item = PriceListItem.objects.get(price_list=price_list, min_quantity=100)
    services.price_list_item_update(actor=admin, item=item, price=Decimal("7.50"))
    record = history_for([item]).filter(action="update").get()
    assert record.parent_object_id == price_list.pk


def test_a_product_off_sale_gets_no_new_price(admin, product):
    services.product_update(actor=admin, product=product, is_active=False)
    price_list = services.price_list_create(actor=admin, name="Base", currency="EUR")
    with pytest.raises(ValidationError) as exc:
        services.price_list_item_create(actor=admin, price_list=price_list, product=product)
    assert messages_of(exc) == {"product": ["This product is not on sale; put it on sale first."]}


def test_price_list_dates_must_be_in_order(admin):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.price_list_create(
            actor=admin,
            name="Summer",
            currency="EUR",
            valid_from=datetime.date(2026, 8, 31),
            valid_until=datetime.date(2026, 6, 1),
        )
    assert messages_of(exc) == {"valid_until": ["The end of validity cannot be before its start."]}
    with pytest.raises(ValidationError) as exc:
        services.price_list_create(actor=admin, name="X", currency="EUR", valid_from="31.02.2026")
    assert "valid_from" in exc.value.message_dict
    assert counts() == before


def test_discounts_are_percentages_and_need_their_condition(admin):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.discount_rule_create(
            actor=admin, name="Huge", kind="quantity", min_quantity=5, percent=Decimal(150)
        )
    assert messages_of(exc) == {"percent": ["Enter a percentage between 0 and 100."]}
    with pytest.raises(ValidationError) as exc:
        services.discount_rule_create(actor=admin, name="No qty", kind="quantity", percent=5)
    assert "min_quantity" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.discount_rule_create(
            actor=admin, name="No group", kind="customer_group", percent=5
        )
    assert "customer_group" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.discount_limit_create(actor=admin, role="sales_rep", max_percent=Decimal(-1))
    assert counts() == before
    services.discount_limit_set(actor=admin, role="sales_rep", max_percent=10)
    services.discount_limit_set(actor=admin, role="sales_rep", max_percent=12)
    assert DiscountLimit.objects.get(role="sales_rep").max_percent == 12
    with pytest.raises(ValidationError) as exc:
        services.discount_limit_create(actor=admin, role="sales_rep", max_percent=5)
    assert messages_of(exc) == {
        "role": ["This role already has a discount limit; change that one."]
    }


def test_exchange_rates(admin):
    before = counts()
    for bad in (Decimal(0), Decimal("-1.5")):
        with pytest.raises(ValidationError) as exc:
            services.exchange_rate_create(actor=admin, currency="USD", rate=bad)
        assert messages_of(exc) == {"rate": ["An exchange rate must be more than zero."]}
    with pytest.raises(ValidationError) as exc:
        services.exchange_rate_create(actor=admin, currency="EUR", rate=Decimal(1))
    assert messages_of(exc) == {"currency": ["The base currency needs no exchange rate."]}
    assert counts() == before
    day = datetime.date(2026, 3, 1)
    services.exchange_rate_create(actor=admin, currency="USD", valid_from=day, rate=Decimal("0.9"))
    with pytest.raises(ValidationError) as exc:
        services.exchange_rate_create(actor=admin, currency="USD", valid_from=day, rate=1)
    assert messages_of(exc) == {"valid_from": ["This currency already has a rate from this day."]}


def test_only_administrators_write(world, product):
    before = counts()
    for role in ("director", "head", "rep", "auditor", "marketer"):
        user = world.users[role]
        with pytest.raises(PermissionDenied):
            services.product_create(actor=user, name="Mine")
        with pytest.raises(PermissionDenied):
            services.product_update(actor=user, product=product, name="Mine")
        with pytest.raises(PermissionDenied):
            services.product_delete(actor=user, product=product)
        with pytest.raises(PermissionDenied):
            services.exchange_rate_create(actor=user, currency="USD", rate=1)
    assert counts() == before
    product.refresh_from_db()
    assert product.name == "Router"


def test_group_assignment_moves_companies_and_is_logged(world, admin):
    dealers = services.customer_group_create(actor=admin, name="Dealers")
    vip = services.customer_group_create(actor=admin, name="VIP")
    own, team = world.companies["own"], world.companies["team"]
    assert services.customer_group_assign(actor=admin, group=dealers, companies=[own, team.pk]) == 2
    assert services.customer_group_assign(actor=admin, group=dealers, companies=[own]) == 0
    assert services.customer_group_assign(actor=admin, group=vip, companies=[own]) == 1
    assert CustomerGroupMembership.objects.get(company=own).group == vip
    # The change is part of the company's history.
    log = ChangeRecord.objects.filter(parent_object_id=own.pk, object_repr__contains="→")
    assert log.count() == 2
    assert services.customer_group_unassign(actor=admin, company=own) is True
    assert services.customer_group_unassign(actor=admin, company=own) is False
    with pytest.raises(ValidationError):
        services.customer_group_create(actor=admin, name="dealers")  # same name, other case
    with pytest.raises(NotFound):
        services.customer_group_assign(actor=admin, group=dealers, companies=[987654])
    assert not CustomerGroupMembership.objects.filter(company_id=987654).exists()


def test_deleting_what_is_in_use_is_a_clear_error(world, admin, product):
    group = services.customer_group_create(actor=admin, name="Dealers")
    services.price_list_create(actor=admin, name="Dealers", currency="EUR", customer_group=group)
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.customer_group_delete(actor=admin, group=group)
    assert "has price lists" in str(exc.value.message)
    assert counts() == before

    from rapport.orders.models import Order, OrderLine

    order = Order.objects.create(company=world.companies["own"], owner=world.users["rep"])
    OrderLine.objects.create(order=order, product=product, description="Router", quantity=1)
    with transaction.atomic():
        with pytest.raises(DomainError) as exc:
            services.product_delete(actor=admin, product=product)
    assert exc.value.code == "protected"
    assert "Take it off sale instead" in str(exc.value.message)
    assert Product.objects.filter(pk=product.pk).exists()
    assert counts() == before
