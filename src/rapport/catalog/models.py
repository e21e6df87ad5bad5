"""Products and services, price lists per currency and customer group, discounts, exchange rates."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.accounts.choices import Role
from rapport.core import scoping
from rapport.core.models import BaseModel
from rapport.core.money import amount_field, currency_field, percent_field, quantity_field


class ProductKind(models.TextChoices):
    PRODUCT = "product", _("product")
    SERVICE = "service", pgettext_lazy("product kind", "service")


class Unit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    HOUR = "h", _("hour")
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    KG = "kg", _("kg")
    METRE = "m", _("m")
    LITRE = "l", _("l")
    SET = "set", _("set")
    LICENCE = "licence", _("licence")


class Product(BaseModel):
    """A product or a service sold to customers. Everyone reads the catalogue; administrators
    change it."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.PRODUCT
    )
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    tax_rate = percent_field(_("tax rate, %"), default=Decimal("21.00"))
    cost_price = amount_field(_("cost price"), validators=[MinValueValidator(Decimal(0))])
    cost_currency = currency_field(_("cost currency"))
    # Services and goods not kept in stock have no stock level.
    stock_level = models.DecimalField(
        _("stock level"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = [
        "kind",
        "name",
        "sku",
        "description",
        "unit",
        "tax_rate",
        "cost_price",
        "cost_currency",
        "stock_level",
        "is_active",
    ]

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"], name="product_name"),
            models.Index(fields=["kind", "name"], name="product_kind_name"),
            models.Index(fields=["is_active", "name"], name="product_active_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sku"], condition=~models.Q(sku=""), name="product_unique_sku"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})" if self.sku else self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.pk])


class CustomerGroup(BaseModel):
    """Customers who get the same prices and discounts (e.g. dealers, key accounts)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "description"]

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerGroupMembership(BaseModel):
    """Which price group a company belongs to (at most one)."""

    company = models.OneToOneField(
        "contacts.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="customer_group_membership",
    )
    group = models.ForeignKey(
        CustomerGroup, verbose_name=_("customer group"), on_delete=models.CASCADE
    )

    scope = scoping.ParentScope(
        parents=("company",), owner=None, extra={"company": "contacts.Company"}
    )

    class Meta:
        verbose_name = _("customer group membership")
        verbose_name_plural = _("customer group memberships")
        ordering = ["pk"]
        indexes = [models.Index(fields=["group"], name="groupmember_group")]

    def __str__(self) -> str:
        return f"{self.company} → {self.group}"


class PriceList(BaseModel):
    """Prices in one currency, for everyone or for one customer group, in a period."""

    name = models.CharField(_("name"), max_length=100)
    currency = currency_field()
    customer_group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the prices for every customer in this currency."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = [
        "name",
        "currency",
        "customer_group",
        "valid_from",
        "valid_until",
        "is_active",
    ]

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["currency", "name", "pk"]
        indexes = [
            models.Index(fields=["currency", "customer_group", "is_active"], name="pricelist_pick")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelist_detail", args=[self.pk])


class PriceListItem(BaseModel):
    """A product's price in a list, from a quantity on (quantity breaks are several items)."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices"
    )
    min_quantity = quantity_field(
        _("from quantity"), validators=[MinValueValidator(Decimal("0.001"))]
    )
    price = amount_field(_("price"), validators=[MinValueValidator(Decimal(0))])

    scope = scoping.GlobalScope()
    tracked_fields = ["product", "min_quantity", "price"]

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["price_list", "product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="pricelistitem_unique"
            )
        ]
        indexes = [models.Index(fields=["product", "price_list"], name="pricelistitem_product")]

    def __str__(self) -> str:
        return f"{self.product}: {self.price}"


class DiscountKind(models.TextChoices):
    QUANTITY = "quantity", _("by quantity")
    CUSTOMER_GROUP = "customer_group", _("by customer group")


class DiscountRule(BaseModel):
    """An automatic discount: from a quantity on, or for a customer group (optionally for one
    product only). The best matching rule applies; rules do not add up."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DiscountKind.choices)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every product."),
    )
    customer_group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    min_quantity = quantity_field(_("from quantity"), null=True, blank=True, default=None)
    percent = percent_field(_("discount, %"))
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "kind", "product", "customer_group", "min_quantity", "percent"]

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class DiscountLimit(BaseModel):
    """The largest manual discount a role may give without a head's approval."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_percent = percent_field(_("largest discount without approval, %"))

    scope = scoping.GlobalScope()
    tracked_fields = ["role", "max_percent"]

    class Meta:
        verbose_name = _("discount limit")
        verbose_name_plural = _("discount limits")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.max_percent}%"


class ExchangeRate(BaseModel):
    """How many units of the base currency one unit of ``currency`` is worth, from a day on."""

    currency = currency_field()
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    rate = models.DecimalField(
        _("rate"),
        max_digits=16,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    scope = scoping.GlobalScope()
    tracked_fields = ["currency", "valid_from", "rate"]

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchangerate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.rate}"
