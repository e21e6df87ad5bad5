"""Demo catalogue for ``make run``: products and services, price lists in EUR and USD, a dealers'
group with its own prices, quantity breaks, discount rules and limits, exchange rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from rapport.catalog import services
from rapport.catalog.models import DiscountKind, Product, ProductKind, Unit
from rapport.core.money import Currency, base_currency, round_money

# (name, SKU, kind, unit, cost price in EUR, stock level or None)
PRODUCTS = [
    ("Industrial router R-200", "NET-R200", ProductKind.PRODUCT, Unit.PIECE, "180.00", 42),
    ("Managed switch 24 ports", "NET-SW24", ProductKind.PRODUCT, Unit.PIECE, "240.00", 25),
    ("Wi-Fi access point AX", "NET-APAX", ProductKind.PRODUCT, Unit.PIECE, "95.00", 130),
    ("Fibre patch cord, 2 m", "NET-FC2", ProductKind.PRODUCT, Unit.PIECE, "3.20", 1500),
    ("Cable UTP Cat.6", "NET-UTP6", ProductKind.PRODUCT, Unit.METRE, "0.35", 12000),
    ("Server rack 42U", "DC-RACK42", ProductKind.PRODUCT, Unit.PIECE, "620.00", 6),
    ("UPS 3 kVA", "PWR-UPS3", ProductKind.PRODUCT, Unit.PIECE, "890.00", 9),
    ("Battery pack for UPS", "PWR-BAT", ProductKind.PRODUCT, Unit.SET, "210.00", 14),
    ("Rack server 1U", "SRV-1U", ProductKind.PRODUCT, Unit.PIECE, "2100.00", 4),
    ("SSD 1.92 TB enterprise", "STO-SSD2", ProductKind.PRODUCT, Unit.PIECE, "260.00", 60),
    ("Laptop Pro 14", "PC-LP14", ProductKind.PRODUCT, Unit.PIECE, "820.00", 18),
    ('Monitor 27" QHD', "PC-MON27", ProductKind.PRODUCT, Unit.PIECE, "190.00", 35),
    ("Docking station USB-C", "PC-DOCK", ProductKind.PRODUCT, Unit.PIECE, "110.00", 40),
    ("Office chair Ergo", "OF-CHAIR", ProductKind.PRODUCT, Unit.PIECE, "140.00", 22),
    ("Маршрутизатор ME-50", "NET-ME50", ProductKind.PRODUCT, Unit.PIECE, "75.00", 80),
    ("Комутатор POE 8 портів", "NET-POE8", ProductKind.PRODUCT, Unit.PIECE, "68.00", 55),
    ("Tīkla kabelis 305 m", "NET-BOX305", ProductKind.PRODUCT, Unit.PIECE, "88.00", 30),
    ("Thermal paper rolls", "CON-PAPER", ProductKind.PRODUCT, Unit.SET, "12.00", 400),
    ("Toner cartridge", "CON-TONER", ProductKind.PRODUCT, Unit.PIECE, "38.00", 90),
    ("Cleaning liquid", "CON-CLEAN", ProductKind.PRODUCT, Unit.LITRE, "4.50", 200),
    ("CRM licence, annual", "LIC-CRM1Y", ProductKind.SERVICE, Unit.LICENCE, "60.00", None),
    ("Antivirus licence", "LIC-AV1Y", ProductKind.SERVICE, Unit.LICENCE, "14.00", None),
    ("Installation and setup", "SRV-INSTALL", ProductKind.SERVICE, Unit.HOUR, "25.00", None),
    ("On-site engineer day", "SRV-DAY", ProductKind.SERVICE, Unit.DAY, "240.00", None),
    ("Support contract, monthly", "SRV-SUPM", ProductKind.SERVICE, Unit.MONTH, "90.00", None),
    ("Консультация аналитика", "SRV-CONS", ProductKind.SERVICE, Unit.HOUR, "35.00", None),
    ("Навчання персоналу", "SRV-TRAIN", ProductKind.SERVICE, Unit.DAY, "300.00", None),
    ("Mākoņa glabātuve 1 TB", "CLD-1TB", ProductKind.SERVICE, Unit.MONTH, "4.00", None),
    ("Data migration", "SRV-MIGR", ProductKind.SERVICE, Unit.HOUR, "30.00", None),
    ("Extended warranty, 1 year", "SRV-WAR1", ProductKind.SERVICE, Unit.YEAR, "45.00", None),
]
# Euros per unit of each currency (the demo's exchange rates), today and two years ago.
EUR_PER = {
    "EUR": Decimal(1),
    "USD": Decimal("0.92"),
    "UAH": Decimal("0.0225"),
    "RUB": Decimal("0.0099"),
    "GBP": Decimal("1.17"),
    "PLN": Decimal("0.232"),
}
EUR_PER_BEFORE = {
    "EUR": Decimal(1),
    "USD": Decimal("0.94"),
    "UAH": Decimal("0.0251"),
    "RUB": Decimal("0.0102"),
    "GBP": Decimal("1.15"),
    "PLN": Decimal("0.215"),
}
BREAKS = ["NET-FC2", "NET-UTP6", "NET-APAX", "CON-TONER", "LIC-CRM1Y", "SRV-INSTALL"]
DEALER_COMPANIES = 15


def _rate(table: dict, currency: str) -> Decimal:
    """Units of the base currency per unit of ``currency``."""
    return (table[currency] / table[base_currency()]).quantize(Decimal("0.00000001"))


def seed(*, rng, users, stdout) -> None:
    if Product.objects.exists():  # already seeded: leave the catalogue as it is
        return
    from rapport.accounts.choices import Role
    from rapport.contacts.models import Company

    admin = next(u for u in users if u.is_administrator)
    today = timezone.localdate()

    for table, day in ((EUR_PER_BEFORE, today - datetime.timedelta(days=730)), (EUR_PER, today)):
        for currency in Currency.values:
            if currency != base_currency():
                services.exchange_rate_create(
                    actor=admin, currency=currency, valid_from=day, rate=_rate(table, currency)
                )

    products = []
    for name, sku, kind, unit, cost, stock in PRODUCTS:
        products.append(
            services.product_create(
                actor=admin,
                name=name,
                sku=sku,
                kind=kind,
                unit=unit,
                tax_rate=Decimal("21.00"),
                cost_price=Decimal(cost),
                cost_currency=Currency.EUR,
                stock_level=Decimal(stock) if stock is not None else None,
                description="",
            )
        )

    dealers = services.customer_group_create(
        actor=admin, name="Dealers", description="Resellers with dealer prices"
    )
    base_eur = services.price_list_create(actor=admin, name="Base EUR", currency=Currency.EUR)
    base_usd = services.price_list_create(actor=admin, name="Base USD", currency=Currency.USD)
    dealers_eur = services.price_list_create(
        actor=admin,
        name="Dealers EUR",
        currency=Currency.EUR,
        customer_group=dealers,
        valid_from=today.replace(month=1, day=1) - datetime.timedelta(days=365),
    )
    usd_per_eur = EUR_PER["EUR"] / EUR_PER["USD"]
    for product in products:
        markup = Decimal(rng.choice(["1.35", "1.45", "1.6", "1.8"]))
        price = round_money(product.cost_price * markup)
        for price_list, value in (
            (base_eur, price),
            (base_usd, round_money(price * usd_per_eur)),
            (dealers_eur, round_money(price * Decimal("0.9"))),
        ):
            services.price_list_item_create(
                actor=admin, price_list=price_list, product=product, price=value
            )
        if product.sku in BREAKS:
            for quantity, factor in ((10, "0.95"), (100, "0.88")):
                services.price_list_item_create(
                    actor=admin,
                    price_list=base_eur,
                    product=product,
                    min_quantity=Decimal(quantity),
                    price=round_money(price * Decimal(factor)),
                )

    services.discount_rule_create(
        actor=admin,
        name="10 or more: 5 %",
        kind=DiscountKind.QUANTITY,
        min_quantity=Decimal(10),
        percent=Decimal(5),
    )
    services.discount_rule_create(
        actor=admin,
        name="Dealers: 10 %",
        kind=DiscountKind.CUSTOMER_GROUP,
        customer_group=dealers,
        percent=Decimal(10),
    )
    for role, percent in ((Role.SALES_REP, 10), (Role.HEAD, 25), (Role.DIRECTOR, 100)):
        services.discount_limit_create(actor=admin, role=role, max_percent=Decimal(percent))

    company_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True)[:400])
    chosen = rng.sample(company_ids, min(DEALER_COMPANIES, len(company_ids)))
    if chosen:
        services.customer_group_assign(actor=admin, group=dealers, companies=chosen)
    stdout.write(
        f"catalog: {len(products)} products, 3 price lists, {len(chosen)} dealers, "
        "discount rules, limits and exchange rates"
    )
