"""What every document shares: its customer and people in charge, its totals, its lines."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping
from rapport.core.models import BaseModel
from rapport.core.money import amount_field, currency_field, percent_field, quantity_field
from rapport.orders.choices import DocumentLanguage

# A document is seen and changed by whoever sees and changes a deal of the same owner and team
# (both are copied from the deal when the document is made).
DOCUMENT_SCOPE = scoping.OwnedScope(owner="owner", team="team")


class Owned(BaseModel):
    """The owner and team of a document of the chain (copied from its deal), which scope it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = DOCUMENT_SCOPE

    class Meta:
        abstract = True


class Document(Owned):
    """A numbered document of the chain: customer, currency, language, totals, owner and team."""

    number = models.CharField(_("number"), max_length=40, blank=True)
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    currency = currency_field()
    language = models.CharField(
        _("document language"),
        max_length=2,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.EN,
    )
    subtotal = amount_field(_("total before discounts"))
    discount_total = amount_field(_("discounts"))
    net_total = amount_field(_("total without tax"))
    tax_total = amount_field(_("tax"))
    total = amount_field(_("total"))
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class DocumentLine(BaseModel):
    """A line: a product (or free text), quantity, price, discount and tax, with its sums."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product or service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))])
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = amount_field(_("unit price"), validators=[MinValueValidator(Decimal(0))])
    discount_percent = percent_field(_("discount, %"))
    tax_rate = percent_field(_("tax rate, %"))
    # The cost price when the line was written, for profit and loss per client.
    cost_price = amount_field(_("cost price"), validators=[MinValueValidator(Decimal(0))])
    gross_amount = amount_field(_("amount before discount"))
    net_amount = amount_field(_("amount"))
    tax_amount = amount_field(_("tax"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"
