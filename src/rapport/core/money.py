"""Money: currencies, amount fields and rounding (Decimal only, never floats)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class Currency(models.TextChoices):
    EUR = "EUR", _("euro (EUR)")
    USD = "USD", _("US dollar (USD)")
    UAH = "UAH", _("hryvnia (UAH)")
    RUB = "RUB", _("rouble (RUB)")
    GBP = "GBP", _("pound sterling (GBP)")
    PLN = "PLN", _("złoty (PLN)")


def parse_decimal(value, *, field: str, message=None, default=None) -> Decimal | None:
    """A number from a form or the API as a Decimal (``default`` when empty); text, NaN and
    infinity are a ValidationError on ``field`` (a NaN would otherwise fail every comparison)."""
    from decimal import InvalidOperation

    from django.core.exceptions import ValidationError

    if value is None or value == "":
        return default
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: message or _("Enter a number.")})
    return number


def base_currency() -> str:
    """The currency forecasts and reports are summed in (amounts are converted by the manual
    exchange-rate table)."""
    return settings.RAPPORT["BASE_CURRENCY"]


def round_money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    """An amount of money: 14 digits, 2 decimals (the currency lives in its own column)."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def currency_field(verbose_name=None, **kwargs) -> models.CharField:
    kwargs.setdefault("default", Currency.EUR)
    return models.CharField(
        verbose_name or _("currency"), max_length=3, choices=Currency.choices, **kwargs
    )


def quantity_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("1"))
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=3, **kwargs)


def percent_field(verbose_name, **kwargs) -> models.DecimalField:
    """A percentage 0–100 with two decimals (tax rates, discounts)."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    kwargs.setdefault("default", ZERO)
    kwargs.setdefault("validators", [MinValueValidator(ZERO), MaxValueValidator(Decimal(100))])
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)
