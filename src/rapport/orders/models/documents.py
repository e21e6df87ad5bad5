"""Orders, invoices, payments and shipments: the chain that follows an accepted proposal."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping
from rapport.core.models import BaseModel
from rapport.core.money import amount_field, currency_field, quantity_field
from rapport.orders.choices import InvoiceStatus, OrderStatus, PaymentMethod, ShipmentStatus
from rapport.orders.models.base import Document, DocumentLine, Owned


class Order(Document):
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    proposal = models.OneToOneField(
        "orders.Proposal",
        verbose_name=_("accepted proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    ordered_on = models.DateField(_("order date"), default=timezone.localdate)
    # Kept by the services from the invoices, payments and shipments.
    invoiced_total = amount_field(_("invoiced"))
    paid_total = amount_field(_("paid"))

    tracked_fields = ["number", "status", "company", "person", "currency", "total", "notes"]

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-pk"]
        indexes = [
            models.Index(fields=["deal"], name="order_deal"),
            models.Index(fields=["company", "-ordered_on"], name="order_company"),
            models.Index(fields=["status", "-ordered_on"], name="order_status"),
            models.Index(fields=["owner", "status"], name="order_owner"),
            models.Index(fields=["team", "status"], name="order_team"),
            models.Index(fields=["-ordered_on", "id"], name="order_date"),
            models.Index(fields=["number", "id"], name="order_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="order_unique_number"
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])


class OrderLine(DocumentLine):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    quantity_invoiced = quantity_field(_("invoiced quantity"), default=Decimal(0))
    quantity_shipped = quantity_field(_("shipped quantity"), default=Decimal(0))

    scope = scoping.ParentScope(parents=("order",), owner=None, extra={"order": "orders.Order"})

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "pk"]
        indexes = [
            models.Index(fields=["order", "position"], name="orderline_order"),
            models.Index(fields=["product"], name="orderline_product"),
        ]


class Invoice(Document):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    amount_paid = amount_field(_("paid"))

    tracked_fields = [
        "number",
        "status",
        "company",
        "person",
        "currency",
        "issued_on",
        "due_on",
        "total",
        "amount_paid",
        "notes",
    ]

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["order"], name="invoice_order"),
            models.Index(fields=["company", "-issued_on"], name="invoice_company"),
            # Overdue = issued or partly paid, due before today.
            models.Index(fields=["status", "due_on"], name="invoice_status_due"),
            models.Index(fields=["owner", "status", "due_on"], name="invoice_owner"),
            models.Index(fields=["team", "status", "due_on"], name="invoice_team"),
            models.Index(fields=["-issued_on", "id"], name="invoice_issued"),
            models.Index(fields=["number", "id"], name="invoice_number"),
            models.Index(fields=["due_on", "id"], name="invoice_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="invoice_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__lte=models.F("total")),
                name="invoice_not_overpaid",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("orders:invoice_detail", args=[self.pk])

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )

    scope = scoping.ParentScope(
        parents=("invoice",), owner=None, extra={"invoice": "orders.Invoice"}
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]
        indexes = [models.Index(fields=["invoice", "position"], name="invoiceline_invoice")]


class Payment(Owned):
    """Money received against an invoice (partial payments are several)."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = amount_field(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = currency_field()
    paid_on = models.DateField(_("payment date"), default=timezone.localdate)
    method = models.CharField(
        _("method"),
        max_length=15,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    tracked_fields = ["amount", "currency", "paid_on", "method", "reference", "note"]

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-pk"]
        indexes = [
            models.Index(fields=["invoice", "paid_on"], name="payment_invoice"),
            models.Index(fields=["-paid_on", "id"], name="payment_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.paid_on})"

    def get_absolute_url(self) -> str:
        return reverse("orders:invoice_detail", args=[self.invoice_id])


class Shipment(Owned):
    """Goods sent for an order (partial shipments are several)."""

    number = models.CharField(_("number"), max_length=40, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PLANNED
    )
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    address = models.CharField(_("delivery address"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    tracked_fields = [
        "number",
        "status",
        "planned_on",
        "shipped_on",
        "delivered_on",
        "carrier",
        "tracking_number",
        "address",
        "note",
    ]

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-pk"]
        # The list's filters and sorts (orders.filtersets.documents.SHIPMENT_SORTS) and the
        # scope of reps and teams; a customer is found through the order's index.
        indexes = [
            models.Index(fields=["order", "status"], name="shipment_order"),
            models.Index(fields=["status", "id"], name="shipment_status"),
            models.Index(fields=["owner", "status"], name="shipment_owner"),
            models.Index(fields=["team", "status"], name="shipment_team"),
            models.Index(fields=["number", "id"], name="shipment_number"),
            models.Index(fields=["planned_on", "id"], name="shipment_planned"),
            models.Index(fields=["shipped_on", "id"], name="shipment_shipped"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="shipment_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("orders:shipment_detail", args=[self.pk])


class ShipmentLine(BaseModel):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])

    scope = scoping.ParentScope(
        parents=("shipment",), owner=None, extra={"shipment": "orders.Shipment"}
    )

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "pk"]
        indexes = [models.Index(fields=["order_line"], name="shipmentline_orderline")]

    def __str__(self) -> str:
        return f"{self.order_line} × {self.quantity}"
