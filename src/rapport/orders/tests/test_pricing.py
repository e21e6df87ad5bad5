"""Prices from the right list, quantity breaks, automatic discounts, limits and line arithmetic."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    DiscountLimit,
    DiscountRule,
    PriceList,
    PriceListItem,
    Product,
)
from rapport.catalog.pricing import (
    CurrencyMismatch,
    NoPrice,
    discount_limit_for,
    document_totals,
    line_amounts,
    price_for,
)
from rapport.core.money import ZERO

D = Decimal


@pytest.fixture
def catalogue(db):
    product = Product.objects.create(name="Widget", sku="W-1", cost_price=D("40"))
    general = PriceList.objects.create(name="General", currency="EUR")
    PriceListItem.objects.create(price_list=general, product=product, min_quantity=1, price=100)
    PriceListItem.objects.create(price_list=general, product=product, min_quantity=10, price=90)
    dealers = CustomerGroup.objects.create(name="Dealers")
    dealer_list = PriceList.objects.create(name="Dealers", currency="EUR", customer_group=dealers)
    PriceListItem.objects.create(price_list=dealer_list, product=product, min_quantity=1, price=80)
    usd = PriceList.objects.create(name="US", currency="USD")
    PriceListItem.objects.create(price_list=usd, product=product, min_quantity=1, price=120)
    return {"product": product, "general": general, "dealers": dealers, "usd": usd}


def test_general_list_and_quantity_breaks(world, catalogue):
    product = catalogue["product"]
    quote = price_for(product=product, currency="EUR", quantity=D(1))
    assert (quote.unit_price, quote.price_list) == (D("100.00"), catalogue["general"])
    assert price_for(product=product, currency="EUR", quantity=D(10)).unit_price == D("90.00")
    assert price_for(product=product, currency="USD", quantity=D(3)).unit_price == D("120.00")


def test_customer_group_list_wins_for_its_members(world, catalogue):
    company = world.companies["own"]
    product = catalogue["product"]
    assert (
        price_for(product=product, currency="EUR", company=company, quantity=D(2)).unit_price == 100
    )
    CustomerGroupMembership.objects.create(company=company, group=catalogue["dealers"])
    quote = price_for(product=product, currency="EUR", company=company, quantity=D(2))
    assert quote.unit_price == D("80.00") and quote.price_list.name == "Dealers"
    # Another company still gets the general price.
    other = world.companies["team"]
    assert (
        price_for(product=product, currency="EUR", company=other, quantity=D(2)).unit_price == 100
    )


def test_lists_out_of_date_or_inactive_are_skipped(world, catalogue):
    general = catalogue["general"]
    general.valid_until = datetime.date(2020, 1, 1)
    general.save()
    with pytest.raises(NoPrice) as exc:
        price_for(product=catalogue["product"], currency="EUR", quantity=D(1))
    assert "Widget" in str(exc.value.message) and "EUR" in str(exc.value.message)
    assert (
        price_for(
            product=catalogue["product"],
            currency="EUR",
            quantity=D(1),
            on=datetime.date(2019, 6, 1),
        ).unit_price
        == 100
    )


def test_no_price_in_a_currency_is_a_clear_error(world, catalogue):
    with pytest.raises(NoPrice):
        price_for(product=catalogue["product"], currency="GBP", quantity=D(1))


def test_a_forced_list_of_another_currency_is_refused(world, catalogue):
    with pytest.raises(CurrencyMismatch) as exc:
        price_for(
            product=catalogue["product"],
            currency="EUR",
            quantity=D(1),
            price_list=catalogue["usd"],
        )
    assert "USD" in str(exc.value.message)


def test_best_discount_rule_applies(world, catalogue):
    product, company = catalogue["product"], world.companies["own"]
    DiscountRule.objects.create(name="Bulk", kind="quantity", min_quantity=20, percent=5)
    DiscountRule.objects.create(
        name="Dealers", kind="customer_group", customer_group=catalogue["dealers"], percent=8
    )
    DiscountRule.objects.create(
        name="Off", kind="quantity", min_quantity=1, percent=50, is_active=False
    )
    assert price_for(product=product, currency="EUR", quantity=D(5)).auto_discount_percent == 0
    quote = price_for(product=product, currency="EUR", quantity=D(20))
    assert quote.auto_discount_percent == 5 and quote.discount_rule.name == "Bulk"
    CustomerGroupMembership.objects.create(company=company, group=catalogue["dealers"])
    quote = price_for(product=product, currency="EUR", company=company, quantity=D(20))
    assert quote.auto_discount_percent == 8 and quote.discount_rule.name == "Dealers"


def test_discount_limits_by_role(world):
    assert discount_limit_for(world.users["admin"]) == 100
    assert discount_limit_for(world.users["director"]) == 100
    assert discount_limit_for(world.users["rep"]) == ZERO
    DiscountLimit.objects.create(role="sales_rep", max_percent=10)
    DiscountLimit.objects.create(role="director", max_percent=30)
    assert discount_limit_for(world.users["rep"]) == 10
    assert discount_limit_for(world.users["director"]) == 30


def test_line_and_document_arithmetic():
    gross, net, tax = line_amounts(D("3"), D("33.33"), D("10"), D("21"))
    assert (gross, net, tax) == (D("99.99"), D("89.99"), D("18.90"))

    class Line:
        def __init__(self, amounts):
            self.gross_amount, self.net_amount, self.tax_amount = amounts

    totals = document_totals(
        [Line((gross, net, tax)), Line(line_amounts(D("0.5"), D("10"), D(0), D(0)))]
    )
    assert totals == {
        "subtotal": D("104.99"),
        "discount_total": D("10.00"),
        "net_total": D("94.99"),
        "tax_total": D("18.90"),
        "total": D("113.89"),
    }
