"""Choices of the documents app: states of each document and what moves them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("replaced by a newer version")
    EXPIRED = "expired", _("expired")


class ApprovalStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("not needed")
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    PARTIALLY_PAID = "partially_paid", _("partially paid")
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    CARD = "card", _("card")
    CASH = "cash", _("cash")
    OTHER = "other", _("other")


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    CANCELLED = "cancelled", _("cancelled")


class DocumentKind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    ORDER = "order", _("order")
    INVOICE = "invoice", _("invoice")
    SHIPMENT = "shipment", _("shipment")


class DocumentLanguage(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Русский"
    UK = "uk", "Українська"
    LV = "lv", "Latviešu"


# Allowed moves of each document's state; services refuse anything else.
PROPOSAL_MOVES = {
    ProposalStatus.DRAFT: {ProposalStatus.SENT, ProposalStatus.ACCEPTED, ProposalStatus.SUPERSEDED},
    ProposalStatus.SENT: {
        ProposalStatus.ACCEPTED,
        ProposalStatus.REJECTED,
        ProposalStatus.SUPERSEDED,
        ProposalStatus.EXPIRED,
    },
    ProposalStatus.ACCEPTED: set(),
    ProposalStatus.REJECTED: {ProposalStatus.SUPERSEDED},
    ProposalStatus.SUPERSEDED: set(),
    ProposalStatus.EXPIRED: {ProposalStatus.SUPERSEDED},
}
ORDER_MOVES = {
    OrderStatus.CONFIRMED: {OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.IN_PROGRESS: {OrderStatus.COMPLETED, OrderStatus.CANCELLED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
}
INVOICE_MOVES = {
    InvoiceStatus.DRAFT: {InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED},
    InvoiceStatus.ISSUED: {
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.PAID,
        InvoiceStatus.CANCELLED,
    },
    InvoiceStatus.PARTIALLY_PAID: {InvoiceStatus.PAID},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.CANCELLED: set(),
}
SHIPMENT_MOVES = {
    ShipmentStatus.PLANNED: {ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED},
    # A shipped shipment may still be cancelled (marked shipped by mistake, or the goods came
    # back before delivery): its goods go back into stock.
    ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED},
    ShipmentStatus.DELIVERED: set(),
    ShipmentStatus.CANCELLED: set(),
}
