"""Reads of the document chain: offer → order → invoice → payment → shipment, scoped per user."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from rapport.orders.choices import InvoiceStatus, OrderStatus, ProposalStatus
from rapport.orders.models import (
    Invoice,
    Order,
    OrderLine,
    Payment,
    Proposal,
    Shipment,
    ShipmentLine,
)


@dataclass
class OrderChain:
    """One order with its invoices (each carrying ``payments_list``) and shipments."""

    order: Order
    invoices: list = field(default_factory=list)
    shipments: list = field(default_factory=list)

    @property
    def payments(self) -> list:
        return [p for invoice in self.invoices for p in invoice.payments_list]

    @property
    def not_invoiced(self) -> Decimal:
        if self.order.status == OrderStatus.CANCELLED:
            return Decimal(0)
        return max(self.order.total - self.order.invoiced_total, Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        """What the customer still owes on this order's issued invoices."""
        return sum((i.amount_due for i in self.invoices if i.status in OPEN), Decimal(0))


OPEN = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


@dataclass
class Chain:
    proposals: list
    orders: list[OrderChain]

    @property
    def open_proposals(self) -> list:
        return [p for p in self.proposals if p.status not in (ProposalStatus.SUPERSEDED,)]

    @property
    def outstanding(self) -> Decimal:
        return sum((o.outstanding for o in self.orders), Decimal(0))

    @property
    def overdue(self) -> Decimal:
        return sum(
            (i.amount_due for o in self.orders for i in o.invoices if i.is_overdue), Decimal(0)
        )

    @property
    def not_invoiced(self) -> Decimal:
        return sum((o.not_invoiced for o in self.orders), Decimal(0))

    @property
    def currencies(self) -> list[str]:
        return sorted({o.order.currency for o in self.orders})

    @property
    def is_empty(self) -> bool:
        return not self.proposals and not self.orders


def _chain(user, proposals: QuerySet, orders: QuerySet) -> Chain:
    """Five queries whatever the size: proposals, orders, invoices, payments, shipments."""
    proposals = list(
        proposals.restrict(user).only(
            "id", "number", "version", "title", "status", "total", "currency", "deal_id"
        )
    )
    orders = list(orders.restrict(user).order_by("ordered_on", "pk"))
    by_order = {o.pk: OrderChain(order=o) for o in orders}
    invoices = (
        Invoice.objects.restrict(user)
        .filter(order__in=list(by_order))
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.restrict(user).order_by("paid_on", "pk"),
                to_attr="payments_list",
            )
        )
        .order_by("pk")
    )
    for invoice in invoices:
        by_order[invoice.order_id].invoices.append(invoice)
    shipments = Shipment.objects.restrict(user).filter(order__in=list(by_order)).order_by("pk")
    for shipment in shipments:
        by_order[shipment.order_id].shipments.append(shipment)
    return Chain(proposals=proposals, orders=list(by_order.values()))


def chain_for_deal(user, deal) -> Chain:
    return _chain(
        user,
        Proposal.objects.filter(deal=deal).order_by("number", "version", "pk"),
        Order.objects.filter(deal=deal),
    )


def chain_for_company(user, company) -> Chain:
    return _chain(
        user,
        Proposal.objects.filter(company=company).order_by("number", "version", "pk"),
        Order.objects.filter(company=company),
    )


def order_card(user, order: Order) -> OrderChain:
    """The order's lines, invoices with their payments and shipments with their lines."""
    chain = _chain(user, Proposal.objects.none(), Order.objects.filter(pk=order.pk))
    oc = chain.orders[0] if chain.orders else OrderChain(order=order)
    shipments = {s.pk: s for s in oc.shipments}
    for shipment in shipments.values():
        shipment.lines_list = []
    for line in ShipmentLine.objects.filter(shipment__in=list(shipments)).select_related(
        "order_line"
    ):
        shipments[line.shipment_id].lines_list.append(line)
    return oc


@dataclass
class DraftRow:
    """An order line as the draft invoice editor shows it: what the draft invoices of it, and
    the most it may (ordered, less what other live invoices already hold)."""

    order_line: OrderLine
    quantity: Decimal
    left: Decimal
    net_amount: Decimal | None = None


def draft_invoice_rows(invoice: Invoice) -> list[DraftRow]:
    """Every line of the invoice's order that the draft holds or could still hold (two
    queries), in the order's order."""
    mine = {row.order_line_id: row for row in invoice.lines.all()}
    rows = []
    for line in OrderLine.objects.filter(order_id=invoice.order_id).order_by("position", "pk"):
        row = mine.get(line.pk)
        quantity = row.quantity if row else Decimal(0)
        left = line.quantity - line.quantity_invoiced + quantity
        if row or left > 0:
            rows.append(DraftRow(line, quantity, left, net_amount=row.net_amount if row else None))
    return rows


def products_below_zero(shipment: Shipment) -> list:
    """The stocked products of ``shipment`` whose stock level is now below zero, by name."""
    from rapport.catalog.models import Product
    from rapport.catalog.stock import stocked

    ids = ShipmentLine.objects.filter(shipment=shipment).values("order_line__product_id")
    below = stocked(Product.objects.filter(pk__in=ids, stock_level__lt=0))
    return list(below.order_by("name", "pk"))


# PDFs ------------------------------------------------------------------------------------------
def _pdf_context(document, key: str) -> dict:
    from rapport.orders.models import SellerDetails

    company = document.company
    return {
        "document": document,
        key: document,
        "seller": SellerDetails.get(),
        "customer": company,
        "customer_address": company.addresses.first() if company else None,
        "person": document.person,
        "lines": list(document.lines.order_by("position", "pk")),
    }


def order_pdf(order: Order) -> bytes:
    """The order as a PDF in its language."""
    from rapport.orders.pdf import render_pdf

    context = _pdf_context(order, "order")
    return render_pdf("orders/pdf/order.html", context, language=order.language)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a PDF in its language: bank details, due date, paid and due."""
    from rapport.orders.pdf import render_pdf

    return render_pdf(
        "orders/pdf/invoice.html", _pdf_context(invoice, "invoice"), language=invoice.language
    )


def pdf_response(content: bytes, document, *, download: bool = False):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    name = document.number or document.pk
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
