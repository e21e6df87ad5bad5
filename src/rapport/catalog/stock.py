"""Stock levels moved by the documents that send goods out (a shipment) or take them back.

Only stocked products move: a product (not a service) with a stock level; goods "not kept in
stock" (no level) and services are left alone.

Negative stock is allowed on purpose. Shipping records what physically left the warehouse: when
the stock level says fewer were there, the level was wrong (goods received but not entered, a
miscount), and refusing the shipment would only make the CRM disagree with the warehouse. So
the level goes below zero, the shipment card warns before shipping, the page that ships says
which products went below zero, and the catalogue shows such levels in red until someone counts
the stock and corrects the level on the product card. (Most CRMs and ERPs allow negative stock
by default for the same reason.)

These functions run inside the caller's transaction and do not check who may change the
catalogue: the document's own service has already checked that the actor may change the
document, which is what entitles them to move its goods."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction

from rapport.catalog.models import Product, ProductKind
from rapport.core import events
from rapport.core.changelog import record_change
from rapport.core.models import ChangeAction


@dataclass(frozen=True)
class StockMove:
    product: Product
    before: Decimal
    after: Decimal

    @property
    def is_below_zero(self) -> bool:
        return self.after < 0


def quantities_by_product(pairs: Iterable[tuple[int | None, Decimal]]) -> dict[int, Decimal]:
    """Sum (product id, quantity) pairs per product; lines without a product are skipped."""
    totals: dict[int, Decimal] = {}
    for product_id, quantity in pairs:
        if product_id is not None and quantity:
            totals[product_id] = totals.get(product_id, Decimal(0)) + quantity
    return totals


def stocked(queryset: models.QuerySet) -> models.QuerySet:
    """The products of ``queryset`` whose stock is counted."""
    return queryset.filter(kind=ProductKind.PRODUCT, stock_level__isnull=False)


def counted_level(product: Product | None) -> Decimal | None:
    """The stock level of ``product`` if its stock is counted (as in ``stocked``), else None."""
    if product is None or product.kind != ProductKind.PRODUCT:
        return None
    return product.stock_level


def _move(actor, quantities: dict[int, Decimal], sign: int, document) -> list[StockMove]:
    if not quantities:
        return []
    moves = []
    with transaction.atomic():
        # Locked in id order: two documents moving the same products never wait for each
        # other in a circle, and the second one reads the level the first one wrote.
        products = (
            stocked(Product.objects.filter(pk__in=list(quantities)))
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        for product in products:
            before = product.stock_level
            product.stock_level = before + sign * quantities[product.pk]
            product.save(update_fields=["stock_level", "updated_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                obj=product,
                before={"stock_level": str(before)},
                after={"stock_level": str(product.stock_level)},
                parent=document,
            )
            events.emit(
                "product.stock_changed",
                id=product.pk,
                stock_level=str(product.stock_level),
                document=str(document),
            )
            moves.append(StockMove(product=product, before=before, after=product.stock_level))
    return moves


def stock_take_out(*, actor, quantities: dict[int, Decimal], document) -> list[StockMove]:
    """Lower the stock levels of the stocked products among ``quantities`` ({product id:
    quantity}) by what ``document`` sends out; a level may go below zero (see the module)."""
    return _move(actor, quantities, -1, document)


def stock_put_back(*, actor, quantities: dict[int, Decimal], document) -> list[StockMove]:
    """Raise the stock levels again by what ``document`` had taken out (its goods came back or
    never left)."""
    return _move(actor, quantities, 1, document)
