"""Catalogue writes: products, price lists and their prices, customer groups, discounts, rates.

The catalogue is reference data (``GlobalScope``): everyone reads it, administrators change it.
Every write validates, records the change and emits an event after commit."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    DiscountKind,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)
from rapport.core import events, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.money import base_currency
from rapport.core.services import lock_for_change, require_administrator

PERCENT = _("Enter a percentage between 0 and 100.")
# Django's validator messages ("Ensure this value is greater than or equal to 0.001") replaced
# by what a user of the catalogue understands, per field and validator code.
FRIENDLY: dict[str, dict[str, str]] = {
    "price": {"min_value": _("A price cannot be negative.")},
    "cost_price": {"min_value": _("A cost price cannot be negative.")},
    "min_quantity": {"min_value": _("The quantity must be more than zero.")},
    "percent": {"min_value": PERCENT, "max_value": PERCENT},
    "max_percent": {"min_value": PERCENT, "max_value": PERCENT},
    "tax_rate": {"min_value": PERCENT, "max_value": PERCENT},
    "rate": {"min_value": _("An exchange rate must be more than zero.")},
}


class InUse(DomainError):
    code = "protected"


# Domain checks: each returns {field: message} for the rules the model's fields cannot express.
def _product_errors(product: Product) -> dict:
    errors = {}
    product.sku = (product.sku or "").strip()
    product.name = (product.name or "").strip()
    if product.sku and Product.objects.filter(sku=product.sku).exclude(pk=product.pk).exists():
        errors["sku"] = _("Another product already has this SKU.")
    if isinstance(product.stock_level, Decimal) and product.stock_level < 0:
        # Shipments may take a level below zero (see catalog.stock); a level typed in is a
        # count and never negative, but saving a product that is below zero must still work.
        stored = Product.objects.filter(pk=product.pk).values_list("stock_level", flat=True)
        if product.pk is None or stored.first() != product.stock_level:
            errors["stock_level"] = _("A stock level cannot be negative.")
    return errors


def _price_list_errors(price_list: PriceList) -> dict:
    price_list.name = (price_list.name or "").strip()
    start, end = price_list.valid_from, price_list.valid_until
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        return {"valid_until": _("The end of validity cannot be before its start.")}
    return {}


def _item_errors(item: PriceListItem) -> dict:
    errors = {}
    if item.product_id:
        changed = item.pk is None or (
            PriceListItem.objects.filter(pk=item.pk).values_list("product_id", flat=True).first()
            != item.product_id
        )
        if changed and not Product.objects.filter(pk=item.product_id, is_active=True).exists():
            errors["product"] = _("This product is not on sale; put it on sale first.")
    if (
        item.price_list_id
        and item.product_id
        and isinstance(item.min_quantity, Decimal)
        and PriceListItem.objects.filter(
            price_list_id=item.price_list_id,
            product_id=item.product_id,
            min_quantity=item.min_quantity,
        )
        .exclude(pk=item.pk)
        .exists()
    ):
        errors["min_quantity"] = _(
            "This price list already has a price of this product from this quantity."
        )
    return errors


def _group_errors(group: CustomerGroup) -> dict:
    group.name = (group.name or "").strip()
    if (
        group.name
        and CustomerGroup.objects.filter(name__iexact=group.name).exclude(pk=group.pk).exists()
    ):
        return {"name": _("A customer group with this name already exists.")}
    return {}


def _rule_errors(rule: DiscountRule) -> dict:
    errors = {}
    if rule.kind == DiscountKind.QUANTITY:
        if rule.min_quantity is None:
            errors["min_quantity"] = _("A discount by quantity needs the quantity it starts at.")
        elif isinstance(rule.min_quantity, Decimal) and rule.min_quantity <= 0:
            errors["min_quantity"] = _("The quantity must be more than zero.")
    if rule.kind == DiscountKind.CUSTOMER_GROUP and not rule.customer_group_id:
        errors["customer_group"] = _("A discount by customer group needs the group.")
    return errors


def _limit_errors(limit: DiscountLimit) -> dict:
    if DiscountLimit.objects.filter(role=limit.role).exclude(pk=limit.pk).exists():
        return {"role": _("This role already has a discount limit; change that one.")}
    return {}


def _rate_errors(rate: ExchangeRate) -> dict:
    errors = {}
    if rate.currency == base_currency():
        errors["currency"] = _("The base currency needs no exchange rate.")
    elif (
        isinstance(rate.valid_from, datetime.date)
        and ExchangeRate.objects.filter(currency=rate.currency, valid_from=rate.valid_from)
        .exclude(pk=rate.pk)
        .exists()
    ):
        errors["valid_from"] = _("This currency already has a rate from this day.")
    return errors


CHECKS: dict[type[models.Model], Callable[[models.Model], dict]] = {
    Product: _product_errors,
    PriceList: _price_list_errors,
    PriceListItem: _item_errors,
    CustomerGroup: _group_errors,
    DiscountRule: _rule_errors,
    DiscountLimit: _limit_errors,
    ExchangeRate: _rate_errors,
}
EVENT = {
    Product: "product",
    PriceList: "price_list",
    PriceListItem: "price_list_item",
    CustomerGroup: "customer_group",
    DiscountRule: "discount_rule",
    DiscountLimit: "discount_limit",
    ExchangeRate: "exchange_rate",
}
IN_USE = {
    Product: _(
        "This product is used in proposals, orders or invoices and cannot be deleted. "
        "Take it off sale instead."
    ),
    CustomerGroup: _(
        "This customer group has price lists. Delete them or give them another group first."
    ),
}


def validate(obj: models.Model) -> None:
    """Field rules (with friendly messages), domain rules, then uniqueness; all errors at once."""
    errors: dict[str, list] = {}
    try:
        obj.clean_fields()
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            friendly = FRIENDLY.get(field, {})
            errors[field] = [
                ValidationError(friendly[e.code]) if e.code in friendly else e for e in field_errors
            ]
    for field, message in CHECKS[type(obj)](obj).items():
        errors.setdefault(field, [ValidationError(message)])
    if errors:
        raise ValidationError(errors)
    obj.validate_unique()
    obj.validate_constraints()


def _parent(obj: models.Model) -> models.Model | None:
    return obj.price_list if isinstance(obj, PriceListItem) else None


def _create(actor, model: type[models.Model], fields: dict) -> models.Model:
    require_administrator(actor)
    with transaction.atomic():
        obj = model(**fields)
        validate(obj)
        obj.save()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=obj,
            after=snapshot(obj),
            parent=_parent(obj),
        )
        events.emit(f"{EVENT[model]}.created", id=obj.pk)
    return obj


def _update(actor, obj: models.Model, fields: dict, if_match: str | None) -> models.Model:
    require_administrator(actor)
    with transaction.atomic():
        obj = lock_for_change(actor, obj, if_match=if_match)
        before = snapshot(obj)
        for key, value in fields.items():
            setattr(obj, key, value)
        validate(obj)
        obj.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=obj,
            before=before,
            after=snapshot(obj),
            parent=_parent(obj),
        )
        events.emit(f"{EVENT[type(obj)]}.updated", id=obj.pk)
    return obj


def _delete(actor, obj: models.Model, if_match: str | None) -> None:
    require_administrator(actor)
    with transaction.atomic():
        obj = lock_for_change(actor, obj, if_match=if_match)
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=obj,
            before=snapshot(obj),
            parent=_parent(obj),
        )
        pk = obj.pk
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            raise InUse(IN_USE.get(type(obj))) from exc
        events.emit(f"{EVENT[type(obj)]}.deleted", id=pk)


# Products --------------------------------------------------------------------------------------
def product_create(*, actor, **fields) -> Product:
    return _create(actor, Product, fields)


def product_update(*, actor, product: Product, if_match: str | None = None, **fields) -> Product:
    return _update(actor, product, fields, if_match)


def product_delete(*, actor, product: Product, if_match: str | None = None) -> None:
    """Refused with a clear error (``InUse``) while documents have lines of the product."""
    _delete(actor, product, if_match)


# Price lists and their prices ------------------------------------------------------------------
def price_list_create(*, actor, **fields) -> PriceList:
    return _create(actor, PriceList, fields)


def price_list_update(
    *, actor, price_list: PriceList, if_match: str | None = None, **fields
) -> PriceList:
    return _update(actor, price_list, fields, if_match)


def price_list_delete(*, actor, price_list: PriceList, if_match: str | None = None) -> None:
    _delete(actor, price_list, if_match)


def price_list_item_create(*, actor, price_list: PriceList, **fields) -> PriceListItem:
    """A price of a product in ``price_list`` from ``min_quantity`` on (a quantity break)."""
    return _create(actor, PriceListItem, {**fields, "price_list": price_list})


def price_list_item_update(
    *, actor, item: PriceListItem, if_match: str | None = None, **fields
) -> PriceListItem:
    fields.pop("price_list", None)  # a price stays in its list
    return _update(actor, item, fields, if_match)


def price_list_item_delete(*, actor, item: PriceListItem, if_match: str | None = None) -> None:
    _delete(actor, item, if_match)


# Customer groups and their members -------------------------------------------------------------
def customer_group_create(*, actor, **fields) -> CustomerGroup:
    return _create(actor, CustomerGroup, fields)


def customer_group_update(
    *, actor, group: CustomerGroup, if_match: str | None = None, **fields
) -> CustomerGroup:
    return _update(actor, group, fields, if_match)


def customer_group_delete(*, actor, group: CustomerGroup, if_match: str | None = None) -> None:
    """Members leave the group; refused while price lists are for the group."""
    _delete(actor, group, if_match)


def _companies_to_change(actor, companies: Iterable) -> list:
    from rapport.contacts.models import Company

    ids = {getattr(c, "pk", c) for c in companies}
    found = list(
        Company.objects.restrict(actor, scoping.CHANGE)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(found) != len(ids):
        raise NotFound()
    return found


def customer_group_assign(*, actor, group: CustomerGroup, companies: Iterable) -> int:
    """Put companies (instances or ids) into ``group``, moving them out of any other group.

    Administrators only, and only companies the actor may change (else 404, nothing written).
    Returns how many companies changed group."""
    require_administrator(actor)
    with transaction.atomic():
        group = lock_for_change(actor, group)
        changed = []
        for company in _companies_to_change(actor, companies):
            membership = CustomerGroupMembership.objects.filter(company=company).first()
            if membership and membership.group_id == group.pk:
                continue
            before = {"group": str(membership.group)} if membership else None
            if membership:
                membership.group = group
                membership.save(update_fields=["group", "updated_at"])
            else:
                membership = CustomerGroupMembership.objects.create(company=company, group=group)
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
                obj=membership,
                before=before,
                after={"group": str(group)},
                parent=company,
            )
            changed.append(company.pk)
        if changed:
            events.emit("customer_group.assigned", id=group.pk, companies=changed)
    return len(changed)


def customer_group_unassign(*, actor, company) -> bool:
    """Take a company (instance or id) out of its customer group; False if it was in none."""
    require_administrator(actor)
    with transaction.atomic():
        (company,) = _companies_to_change(actor, [company])
        membership = (
            CustomerGroupMembership.objects.filter(company=company).select_related("group").first()
        )
        if membership is None:
            return False
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=membership,
            before={"group": str(membership.group)},
            parent=company,
        )
        group_id = membership.group_id
        membership.delete()
        events.emit("customer_group.unassigned", id=group_id, companies=[company.pk])
    return True


# Discounts -------------------------------------------------------------------------------------
def discount_rule_create(*, actor, **fields) -> DiscountRule:
    return _create(actor, DiscountRule, fields)


def discount_rule_update(
    *, actor, rule: DiscountRule, if_match: str | None = None, **fields
) -> DiscountRule:
    return _update(actor, rule, fields, if_match)


def discount_rule_delete(*, actor, rule: DiscountRule, if_match: str | None = None) -> None:
    _delete(actor, rule, if_match)


def discount_limit_create(*, actor, **fields) -> DiscountLimit:
    return _create(actor, DiscountLimit, fields)


def discount_limit_update(
    *, actor, limit: DiscountLimit, if_match: str | None = None, **fields
) -> DiscountLimit:
    return _update(actor, limit, fields, if_match)


def discount_limit_delete(*, actor, limit: DiscountLimit, if_match: str | None = None) -> None:
    _delete(actor, limit, if_match)


def discount_limit_set(*, actor, role: str, max_percent) -> DiscountLimit:
    """The limit of ``role``: created or changed."""
    existing = DiscountLimit.objects.filter(role=role).first()
    if existing:
        return discount_limit_update(actor=actor, limit=existing, max_percent=max_percent)
    return discount_limit_create(actor=actor, role=role, max_percent=max_percent)


# Exchange rates --------------------------------------------------------------------------------
def exchange_rate_create(*, actor, **fields) -> ExchangeRate:
    return _create(actor, ExchangeRate, fields)


def exchange_rate_update(
    *, actor, exchange_rate: ExchangeRate, if_match: str | None = None, **fields
) -> ExchangeRate:
    return _update(actor, exchange_rate, fields, if_match)


def exchange_rate_delete(
    *, actor, exchange_rate: ExchangeRate, if_match: str | None = None
) -> None:
    _delete(actor, exchange_rate, if_match)
