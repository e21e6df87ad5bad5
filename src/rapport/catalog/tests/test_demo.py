"""The demo catalogue: complete, consistent with the rules, and seeded only once."""

from __future__ import annotations

import io
import random
from decimal import Decimal

from rapport.catalog import demo
from rapport.catalog.models import (
    CustomerGroup,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)


def test_demo_catalogue(world):
    from rapport.contacts.services import company_create

    rep = world.users["rep"]
    for i in range(20):
        company_create(actor=rep, name=f"Demo customer {i}")
    users = list(world.users.values())
    out = io.StringIO()
    demo.seed(rng=random.Random(7), users=users, stdout=out)
    assert Product.objects.count() == 30
    assert Product.objects.filter(kind="service", stock_level__isnull=True).count() == 10
    assert set(Product.objects.values_list("tax_rate", flat=True)) == {Decimal("21.00")}
    assert set(PriceList.objects.values_list("name", flat=True)) == {
        "Base EUR",
        "Base USD",
        "Dealers EUR",
    }
    dealers = CustomerGroup.objects.get(name="Dealers")
    assert dealers.customergroupmembership_set.count() == 15
    assert PriceList.objects.get(name="Dealers EUR").customer_group == dealers
    # Every product has a price in every list, and six have quantity breaks in Base EUR.
    assert PriceListItem.objects.filter(min_quantity=1).count() == 90
    assert PriceListItem.objects.filter(min_quantity__gt=1).count() == 12
    assert DiscountRule.objects.count() == 2
    assert dict(DiscountLimit.objects.values_list("role", "max_percent")) == {
        "sales_rep": Decimal(10),
        "head": Decimal(25),
        "director": Decimal(100),
    }
    assert ExchangeRate.objects.filter(currency="USD").count() == 2
    assert not ExchangeRate.objects.filter(currency="EUR").exists()
    assert "30 products" in out.getvalue()
    demo.seed(rng=random.Random(7), users=users, stdout=out)  # a second run adds nothing
    assert Product.objects.count() == 30 and PriceListItem.objects.count() == 102
