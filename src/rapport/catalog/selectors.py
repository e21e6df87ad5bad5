"""Catalogue reads for the pages and the API (no query per row)."""

from __future__ import annotations

from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    PriceList,
    PriceListItem,
    Product,
)


def product_prices(product: Product) -> list[PriceListItem]:
    """The product's prices in every price list, grouped by list, quantity breaks in order."""
    return list(
        PriceListItem.objects.filter(product=product)
        .select_related("price_list", "price_list__customer_group")
        .order_by("price_list__currency", "price_list__name", "price_list_id", "min_quantity")
    )


def price_list_items(price_list: PriceList) -> list[PriceListItem]:
    return list(
        PriceListItem.objects.filter(price_list=price_list)
        .select_related("product")
        .order_by("product__name", "product_id", "min_quantity")
    )


def group_members(group: CustomerGroup, user, limit: int = 500) -> list[CustomerGroupMembership]:
    """The group's companies the user may see (membership is scoped through the company)."""
    return list(
        CustomerGroupMembership.objects.restrict(user)
        .filter(group=group)
        .select_related("company")
        .order_by("company__name", "company_id")[:limit]
    )


def member_counts() -> dict[int, int]:
    """Companies per customer group, in one grouped query."""
    from django.db.models import Count

    rows = CustomerGroupMembership.objects.values("group").annotate(n=Count("pk"))
    return {row["group"]: row["n"] for row in rows}
