"""Reference data (pipelines, stages, products, price lists) and row helpers of
bench/generate_sales.py."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import random
import time
from decimal import Decimal

from bench import generate as base

DAY = 86400
TWO_YEARS = 730 * DAY
PDF_LINES = 40

# name, deal noun, share of the deals, stages (name, probability, kind)
PIPELINES = (
    (
        "New business",
        "",
        0.6,
        (
            ("Qualification", 10, "open"),
            ("Needs analysis", 20, "open"),
            ("Proposal", 40, "open"),
            ("Negotiation", 60, "open"),
            ("Contract", 80, "open"),
            ("Won", 100, "won"),
            ("Lost", 0, "lost"),
        ),
    ),
    (
        "Renewals",
        "renewal",
        0.25,
        (
            ("Upcoming", 50, "open"),
            ("Offer sent", 70, "open"),
            ("Agreed", 90, "open"),
            ("Renewed", 100, "won"),
            ("Churned", 0, "lost"),
        ),
    ),
    (
        "Equipment",
        "project",
        0.15,
        (
            ("Request", 10, "open"),
            ("Site survey", 25, "open"),
            ("Quotation", 45, "open"),
            ("Tender", 60, "open"),
            ("Won", 100, "won"),
            ("Lost", 0, "lost"),
        ),
    ),
)
LOST_REASONS = ("Price", "Chose a competitor", "No budget", "No decision", "Timing", "Product fit")
CURRENCIES = (("EUR", 0.83), ("USD", 0.12), ("GBP", 0.05))
RATES = {"USD": "0.92000000", "GBP": "1.17000000", "UAH": "0.02200000", "PLN": "0.23000000"}
SOURCES = ("manual", "web_form", "event", "call", "email", "referral", "partner", "import")
LANGUAGES = ("en", "en", "lv", "ru", "uk")
PRODUCT_WORDS = (
    ("Server", "pcs"), ("Workstation", "pcs"), ("Router", "pcs"), ("Switch", "pcs"),
    ("Printer", "pcs"), ("Scanner", "pcs"), ("Cable set", "set"), ("Rack", "pcs"),
    ("Licence", "licence"), ("Subscription", "year"), ("Support", "month"),
    ("Consulting", "h"), ("Installation", "h"), ("Training", "day"), ("Audit", "day"),
)  # fmt: skip
PRODUCT_LINES = ("Basic", "Standard", "Pro", "Enterprise", "Lite", "Plus", "Max", "Eco")

SALES_TABLES = (
    "sales_deal",
    "sales_dealstagechange",
    "orders_proposal",
    "orders_proposalline",
    "orders_order",
    "orders_orderline",
    "orders_invoice",
    "orders_invoiceline",
    "orders_payment",
    "orders_shipment",
    "orders_shipmentline",
)
SMALL_TABLES = (  # written through the ORM, truncated by --reset-sales
    "catalog_pricelistitem",
    "catalog_pricelist",
    "catalog_discountrule",
    "catalog_customergroupmembership",
    "catalog_customergroup",
    "catalog_product",
    "catalog_exchangerate",
    "sales_stage",
    "sales_pipeline",
    "sales_lostreason",
)


def cents(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def thousandths(value: int) -> str:
    """A quantity given in thousandths (1500 → "1.500")."""
    return f"{value // 1000}.{value % 1000:03d}"


class Table:
    """A model's columns, in order, with every column's default; ``row(**values)`` gives the
    tuple for the writer (values by attribute name, e.g. ``deal_id``)."""

    def __init__(self, model, clock: base.Clock):
        from django.db import models

        self.name = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        self.columns = tuple(f.column for f in fields)
        self.attnames = tuple(f.attname for f in fields)
        now = clock.ts(int(time.time()))
        defaults = []
        for f in fields:
            value = f.get_default() if f.has_default() or not f.null else None
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value = now
            elif isinstance(f, models.JSONField):
                value = json.dumps(value if value is not None else {})
            elif isinstance(value, dt.datetime):
                value = now
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            defaults.append(value)
        self.defaults = tuple(defaults)
        self.index = {a: i for i, a in enumerate(self.attnames)}

    def row(self, **values) -> tuple:
        out = list(self.defaults)
        index = self.index
        for key, value in values.items():
            out[index[key]] = value
        return tuple(out)


def weighted(rng: random.Random, weights):
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    last = len(cumulative) - 1
    return lambda: min(bisect.bisect(cumulative, rng.random() * total), last)


# Reference data through the ORM -----------------------------------------------------------------
def reference_data(rng: random.Random, now: int) -> dict:
    from rapport.catalog.models import (
        CustomerGroup,
        CustomerGroupMembership,
        ExchangeRate,
        PriceList,
        PriceListItem,
        Product,
    )
    from rapport.contacts.models import Company
    from rapport.orders.models import SellerDetails
    from rapport.sales.models import LostReason, Pipeline, Stage

    stamp = dt.datetime.fromtimestamp(now - TWO_YEARS - 30 * DAY, dt.UTC)
    pipelines = []
    for position, (name, noun, share, stages) in enumerate(PIPELINES):
        pipeline = Pipeline.objects.create(
            name=name,
            deal_noun=noun,
            deal_noun_plural=f"{noun}s" if noun else "",
            currency="EUR",
            position=position,
        )
        made = Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=n, position=i, probability=p, kind=k)
            for i, (n, p, k) in enumerate(stages)
        )
        pipelines.append(
            {
                "id": pipeline.pk,
                "share": share,
                "open": [s.pk for s in made if s.kind == "open"],
                "won": next(s.pk for s in made if s.kind == "won"),
                "lost": next(s.pk for s in made if s.kind == "lost"),
                "noun": noun or "deal",
            }
        )
    lost_reasons = [LostReason.objects.create(name=n).pk for n in LOST_REASONS]
    for currency, rate in RATES.items():
        ExchangeRate.objects.create(currency=currency, valid_from=stamp.date(), rate=Decimal(rate))

    products = []
    for i in range(500):
        word, unit = PRODUCT_WORDS[i % len(PRODUCT_WORDS)]
        service = unit in ("h", "day", "month", "year", "licence")
        price = round(rng.lognormvariate(math.log(300), 1.0), 2) + 5
        products.append(
            Product(
                kind="service" if service else "product",
                name=f"{word} {PRODUCT_LINES[i % len(PRODUCT_LINES)]} {i // 15 + 1}",
                sku=f"SKU-{i + 1:05d}",
                unit=unit,
                tax_rate=Decimal(rng.choice(("21.00", "21.00", "20.00", "12.00", "0.00"))),
                cost_price=Decimal(str(round(price * rng.uniform(0.4, 0.8), 2))),
                stock_level=None if service else Decimal(rng.randrange(0, 500)),
                description="",
            )
        )
        products[-1].list_price = price
    Product.objects.bulk_create(products, batch_size=500)
    dealers = CustomerGroup.objects.create(name="Dealers", description="Resellers")
    key_accounts = CustomerGroup.objects.create(name="Key accounts")
    lists = {
        ("EUR", None): PriceList.objects.create(name="Base", currency="EUR"),
        ("USD", None): PriceList.objects.create(name="Base", currency="USD"),
        ("GBP", None): PriceList.objects.create(name="Base", currency="GBP"),
        ("EUR", dealers.pk): PriceList.objects.create(
            name="Dealers", currency="EUR", customer_group=dealers
        ),
    }
    factor = {"EUR": 1.0, "USD": 1.09, "GBP": 0.86}
    items = []
    prices: dict[tuple, list[int]] = {}
    for (currency, group), price_list in lists.items():
        column = []
        for product in products:
            price = product.list_price * factor[currency] * (0.85 if group else 1.0)
            price_cents = int(round(price * 100))
            column.append(price_cents)
            items.append(
                PriceListItem(
                    price_list=price_list,
                    product=product,
                    min_quantity=Decimal(1),
                    price=Decimal(cents(price_cents)),
                )
            )
            if product.kind == "product" and rng.random() < 0.3:  # a quantity break
                items.append(
                    PriceListItem(
                        price_list=price_list,
                        product=product,
                        min_quantity=Decimal(10),
                        price=Decimal(cents(int(price_cents * 0.9))),
                    )
                )
        prices[(currency, group)] = column
    PriceListItem.objects.bulk_create(items, batch_size=2000)
    # A few hundred companies in each group (the rest buy at the base prices).
    company_ids = list(Company.objects.values_list("pk", flat=True)[:20_000])
    members = rng.sample(company_ids, min(len(company_ids), 600))
    CustomerGroupMembership.objects.bulk_create(
        CustomerGroupMembership(company_id=c, group=dealers if i % 3 else key_accounts)
        for i, c in enumerate(members)
    )
    seller = SellerDetails.get()
    if not seller.name:
        seller.name = "Rapport Bench SIA"
        seller.legal_address = "Brīvības iela 1, Rīga, LV-1010"
        seller.registry_number = "40003000000"
        seller.tax_number = "LV40003000000"
        seller.bank_name = "Bench Bank"
        seller.iban = "LV80BANK0000435195001"
        seller.swift = "BENKLV2X"
        seller.email = "sales@example.com"
        seller.save()
    return {
        "pipelines": pipelines,
        "lost_reasons": lost_reasons,
        "products": [
            (p.pk, p.name, p.unit, int(p.tax_rate), int(p.cost_price * 100)) for p in products
        ],
        "price_lists": {key: pl.pk for key, pl in lists.items()},
        "prices": prices,
        "dealer_companies": {c for i, c in enumerate(members) if i % 3},
        "dealers": dealers.pk,
    }
