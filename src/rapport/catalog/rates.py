"""Conversion to the base currency by the manual exchange-rate table, in bulk and in SQL."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import DomainError
from rapport.core.money import base_currency, round_money

# Wide enough for an amount (14,2) times a rate (16,8) without losing cents.
RATE_OUTPUT = DecimalField(max_digits=30, decimal_places=8)
AMOUNT_OUTPUT = DecimalField(max_digits=30, decimal_places=2)


class MissingExchangeRate(DomainError):
    """Some amounts are in a currency the rate table has no rate for (on their date)."""

    code = "missing_exchange_rate"

    def __init__(self, currencies):
        self.currencies = sorted(set(currencies))
        super().__init__(
            _(
                "There is no exchange rate to %(base)s for %(currencies)s on the dates of "
                "some amounts. Add the rates in the catalogue's exchange-rate table."
            )
            % {"base": base_currency(), "currencies": ", ".join(self.currencies)}
        )


@dataclass
class RateTable:
    """The whole rate table (it is small), loaded once per request.

    ``rates[currency]`` is a list of (valid_from, rate) sorted by date; a rate holds from its
    ``valid_from`` until the next one of the same currency. The base currency converts 1:1."""

    base: str
    rates: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RateTable:
        from rapport.catalog.models import ExchangeRate

        table = cls(base=base_currency())
        rows = ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "rate"
        )
        for currency, valid_from, rate in rows:
            if currency != table.base:
                table.rates.setdefault(currency, []).append((valid_from, rate))
        return table

    # One amount at a time (a handful of values, never a loop over many rows) ------------------
    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == self.base:
            return Decimal(1)
        periods = self.rates.get(currency)
        if not periods:
            return None
        index = bisect.bisect_right([p[0] for p in periods], on) - 1
        return periods[index][1] if index >= 0 else None

    def convert(self, amount: Decimal, currency: str, on: date) -> Decimal:
        rate = self.rate(currency, on)
        if rate is None:
            raise MissingExchangeRate([currency])
        return round_money(Decimal(amount) * rate)

    # In SQL, for aggregations over many rows ---------------------------------------------------
    def rate_expression(self, currency_field: str, date_field: str | None = None, on=None):
        """The rate of each row as a SQL CASE: by the row's date (``date_field``, a DateField or
        a ``__date`` lookup of a DateTimeField) or by a fixed day ``on``. NULL when missing."""
        whens = [When(**{currency_field: self.base}, then=Value(Decimal(1)))]
        for currency, periods in self.rates.items():
            if date_field is None:
                rate = self.rate(currency, on)
                if rate is not None:
                    whens.append(When(**{currency_field: currency}, then=Value(rate)))
                continue
            for i, (valid_from, rate) in enumerate(periods):
                condition = Q(**{currency_field: currency, f"{date_field}__gte": valid_from})
                if i + 1 < len(periods):
                    condition &= Q(**{f"{date_field}__lt": periods[i + 1][0]})
                whens.append(When(condition, then=Value(rate)))
        return Case(*whens, default=Value(None), output_field=RATE_OUTPUT)

    def missing_q(self, currency_field: str, date_field: str | None = None, on=None) -> Q:
        """Rows that have no rate: another currency without rates, or dated before the first."""
        q = ~Q(**{currency_field: self.base}) & ~Q(**{f"{currency_field}__in": list(self.rates)})
        for currency, periods in self.rates.items():
            first = periods[0][0]
            if date_field is None:
                if on < first:
                    q |= Q(**{currency_field: currency})
            else:
                q |= Q(**{currency_field: currency, f"{date_field}__lt": first})
        return q

    def missing_count(self, currency_field: str, date_field=None, on=None) -> Count:
        """An aggregate counting the rows without a rate, to add to a report's own GROUP BY
        query: the happy path then needs no query of its own for the check."""
        return Count("pk", filter=self.missing_q(currency_field, date_field, on))

    def check_rows(self, rows, queryset, currency_field, date_field=None, on=None, key="missing"):
        """After an aggregation with ``missing_count`` under ``key`` (dict rows) or last but
        one (tuples): name the currencies (one more query) if any row had no rate."""
        for row in rows:
            if row[key] if isinstance(row, dict) else row[-2]:
                self.check(queryset, currency_field, date_field, on)
        return rows

    def check(self, queryset: QuerySet, currency_field: str, date_field=None, on=None) -> None:
        """Raise MissingExchangeRate (listing the currencies) if any row cannot be converted."""
        missing = (
            queryset.filter(self.missing_q(currency_field, date_field, on))
            .order_by()
            .values_list(currency_field, flat=True)
            .distinct()
        )
        currencies = list(missing)
        if currencies:
            raise MissingExchangeRate(currencies)


def convert(amount: Decimal, currency: str, on: date) -> Decimal:
    """One amount in the base currency by the rate of ``on`` (loads the table: not for loops)."""
    return RateTable.load().convert(amount, currency, on)
