"""Configurable number sequences and the seller's details printed on every document."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping
from rapport.core.models import BaseModel
from rapport.orders.choices import DocumentKind


class NumberSequence(BaseModel):
    """Numbers of one kind of document: ``prefix`` (``{year}`` is replaced), then the counter
    padded to ``digits``; optionally restarting every year."""

    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices, unique=True)
    prefix = models.CharField(_("prefix"), max_length=20, default="{year}-")
    digits = models.PositiveSmallIntegerField(_("digits"), default=5)
    next_number = models.PositiveIntegerField(_("next number"), default=1)
    restarts_yearly = models.BooleanField(_("restart every year"), default=True)
    year = models.PositiveSmallIntegerField(_("year of the counter"), null=True, blank=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["prefix", "digits", "next_number", "restarts_yearly"]

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SellerDetails(BaseModel):
    """Our company's details on proposals, orders and invoices (one row)."""

    name = models.CharField(_("company name"), max_length=200, default="")
    legal_address = models.CharField(_("legal address"), max_length=300, blank=True)
    registry_number = models.CharField(_("registry number"), max_length=40, blank=True)
    tax_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=40, blank=True)
    swift = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    payment_days = models.PositiveSmallIntegerField(_("invoices due after (days)"), default=14)
    proposal_valid_days = models.PositiveSmallIntegerField(
        _("proposals valid for (days)"), default=30
    )

    scope = scoping.GlobalScope()
    tracked_fields = [
        "name",
        "legal_address",
        "registry_number",
        "tax_number",
        "bank_name",
        "iban",
        "swift",
        "email",
        "phone",
        "website",
        "payment_days",
        "proposal_valid_days",
    ]

    class Meta:
        verbose_name = _("seller details")
        verbose_name_plural = _("seller details")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def get(cls) -> SellerDetails:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
