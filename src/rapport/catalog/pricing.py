"""Prices and discounts: which price list and rule apply, and the arithmetic of lines and totals."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Role
from rapport.catalog.models import (
    CustomerGroupMembership,
    DiscountKind,
    DiscountLimit,
    DiscountRule,
    PriceList,
    PriceListItem,
)
from rapport.core.errors import DomainError
from rapport.core.money import ZERO, round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriceQuote:
    """The price of one product for one customer, quantity, currency and day."""

    unit_price: Decimal
    price_list: PriceList
    auto_discount_percent: Decimal = ZERO
    discount_rule: DiscountRule | None = None


class NoPrice(DomainError):
    code = "no_price"


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"


def customer_group_id(company) -> int | None:
    if company is None or company.pk is None:
        return None
    return (
        CustomerGroupMembership.objects.filter(company_id=company.pk)
        .values_list("group_id", flat=True)
        .first()
    )


def _valid_on(on: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def price_for(
    *,
    product,
    currency: str,
    company=None,
    quantity: Decimal,
    on: datetime.date | None = None,
    price_list: PriceList | None = None,
) -> PriceQuote:
    """The unit price of ``product`` for ``company`` buying ``quantity`` in ``currency`` on ``on``.

    The company's customer-group list wins over the general list of that currency; within the
    list, the item with the largest "from quantity" not above ``quantity``. ``price_list`` forces
    one list (it must be in ``currency``). The best matching active discount rule gives the
    automatic discount. No price at all is a ``NoPrice`` error."""
    on = on or timezone.localdate()
    quantity = Decimal(quantity)
    group_id = customer_group_id(company)
    if price_list is not None:
        if price_list.currency != currency:
            raise CurrencyMismatch(
                _("The price list “%(list)s” is in %(list_currency)s, not in %(currency)s.")
                % {
                    "list": price_list.name,
                    "list_currency": price_list.currency,
                    "currency": currency,
                }
            )
        lists = Q(price_list_id=price_list.pk)
    else:
        lists = Q(
            price_list__in=PriceList.objects.filter(
                _valid_on(on),
                Q(customer_group__isnull=True) | Q(customer_group_id=group_id),
                currency=currency,
                is_active=True,
            )
        )
    items = list(
        PriceListItem.objects.filter(lists, product_id=product.pk, min_quantity__lte=quantity)
        .select_related("price_list")
        .order_by("-min_quantity", "-price_list__valid_from", "pk")
    )
    if not items:
        raise NoPrice(
            _("There is no price for “%(product)s” in %(currency)s for this quantity and date.")
            % {"product": product.name, "currency": currency}
        )
    # The customer's own group list first, then the largest quantity break (already ordered).
    items.sort(key=lambda item: item.price_list.customer_group_id is None)
    item = items[0]
    rule = best_discount_rule(product=product, group_id=group_id, quantity=quantity)
    return PriceQuote(
        unit_price=item.price,
        price_list=item.price_list,
        auto_discount_percent=rule.percent if rule else ZERO,
        discount_rule=rule,
    )


def best_discount_rule(*, product, group_id: int | None, quantity: Decimal) -> DiscountRule | None:
    """The active rule giving the largest discount for this product, group and quantity."""
    rules = DiscountRule.objects.filter(
        Q(product__isnull=True) | Q(product_id=product.pk),
        Q(min_quantity__isnull=True) | Q(min_quantity__lte=quantity),
        Q(customer_group__isnull=True) | Q(customer_group_id=group_id),
        is_active=True,
    ).order_by("-percent", "pk")
    for rule in rules:
        if rule.kind == DiscountKind.QUANTITY and rule.min_quantity is None:
            continue
        if rule.kind == DiscountKind.CUSTOMER_GROUP and (
            group_id is None or rule.customer_group_id != group_id
        ):
            continue
        return rule
    return None


def discount_limit_for(user) -> Decimal:
    """The largest manual discount, in %, ``user`` may give without a head's approval."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ZERO
    role = Role.ADMINISTRATOR if user.is_superuser else user.role
    row = DiscountLimit.objects.filter(role=role).values_list("max_percent", flat=True).first()
    if row is not None:
        return row
    return HUNDRED if role in (Role.ADMINISTRATOR, Role.DIRECTOR) else ZERO


# The arithmetic of lines and documents (the only place it is done) -----------------------------
def line_amounts(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, tax_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(gross, net, tax) of a line, each rounded to cents: gross = quantity × price, net = gross
    less the discount, tax = net × rate."""
    gross = round_money(Decimal(quantity) * Decimal(unit_price))
    net = round_money(gross * (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED)
    tax = round_money(net * Decimal(tax_rate or 0) / HUNDRED)
    return gross, net, tax


def document_totals(lines: Iterable) -> dict[str, Decimal]:
    """Totals of a document from its lines' ``gross_amount``, ``net_amount``, ``tax_amount``."""
    subtotal = net_total = tax_total = ZERO
    for line in lines:
        subtotal += line.gross_amount
        net_total += line.net_amount
        tax_total += line.tax_amount
    return {
        "subtotal": subtotal,
        "discount_total": subtotal - net_total,
        "net_total": net_total,
        "tax_total": tax_total,
        "total": net_total + tax_total,
    }
