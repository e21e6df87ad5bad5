"""Sales reports: each one a grouped SQL query over the user's scope, converted to the base
currency, as columns + rows + chart data (the page, the API and the XLSX file share them)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.analytics import periods
from rapport.analytics.forecast import PERCENT, group_labels
from rapport.catalog.rates import AMOUNT_OUTPUT, RateTable
from rapport.core.money import ZERO, round_money
from rapport.orders.choices import OrderStatus
from rapport.sales.choices import DealStatus


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, percent, days, date
    link: str = ""  # the row key holding the id of a drill-down (customer history)


@dataclass
class ReportResult:
    columns: list[Column]
    rows: list[dict]
    chart: dict = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Report:
    name: str
    title: object  # lazy
    description: object  # lazy
    build: Callable


@dataclass
class Context:
    user: object
    start: date
    end: date
    rates: RateTable
    company: int | None = None

    @property
    def today(self) -> date:
        return timezone.localdate()

    def deals(self):
        from rapport.sales.models import Deal

        return Deal.objects.restrict(self.user).order_by()

    def closed(self, status=(DealStatus.WON,)):
        since, until = periods.day_bounds(self.start, self.end)
        return self.deals().filter(status__in=status, closed_at__gte=since, closed_at__lt=until)

    def closing_amount(self, qs, prefix=""):
        """Sum(amount) at the rate of the closing day; checks every row has a rate first."""
        self.rates.check(qs, f"{prefix}currency", f"{prefix}closed_at__date")
        rate = self.rates.rate_expression(f"{prefix}currency", f"{prefix}closed_at__date")
        return Sum(ExpressionWrapper(F(f"{prefix}amount") * rate, output_field=AMOUNT_OUTPUT))

    def orders(self):
        from rapport.orders.models import Order

        return (
            Order.objects.restrict(self.user)
            .order_by()
            .exclude(status=OrderStatus.CANCELLED)
            .filter(ordered_on__gte=self.start, ordered_on__lte=self.end)
        )

    def order_lines(self):
        from rapport.orders.models import OrderLine

        lines = OrderLine.objects.filter(order__in=self.orders().values("pk")).order_by()
        self.rates.check(lines, "order__currency", "order__ordered_on")
        return lines, self.rates.rate_expression("order__currency", "order__ordered_on")


def _money(value) -> Decimal:
    return round_money(value or ZERO)


def _bar(categories, series, kind="bar") -> dict:
    return {
        "type": kind,
        "categories": [str(c) for c in categories],
        "series": [{"name": str(n), "data": [float(v or 0) for v in d]} for n, d in series],
    }


def _monthly(ctx: Context, rows, value_key: str, name: str) -> dict:
    """A chart by month of the period from rows carrying a ``month``."""
    keys = periods.period_keys(ctx.start, ctx.end)
    values = defaultdict(Decimal)
    for row in rows:
        values[periods.period_key(row["month"])] += Decimal(row[value_key] or 0)
    labels = [periods.period_label(k) for k in keys]
    return _bar(labels, [(name, [values[k] for k in keys])])


# The reports ------------------------------------------------------------------------------------
def pipeline_by_stage(ctx: Context) -> ReportResult:
    """Deals created in the period, by their current stage."""
    from rapport.sales.models import Stage

    since, until = periods.day_bounds(ctx.start, ctx.end)
    deals = ctx.deals().filter(created_at__gte=since, created_at__lt=until)
    ctx.rates.check(deals, "currency", on=ctx.today)
    rate = ctx.rates.rate_expression("currency", on=ctx.today)
    probability = Coalesce("probability", "stage__probability")
    rows = (
        deals.values("stage_id")
        .annotate(
            count=Count("pk"),
            total=Sum(ExpressionWrapper(F("amount") * rate, output_field=AMOUNT_OUTPUT)),
            weighted_total=Sum(
                ExpressionWrapper(
                    F("amount") * rate * probability * PERCENT, output_field=AMOUNT_OUTPUT
                )
            ),
        )
        .order_by()
    )
    by_stage = {r["stage_id"]: r for r in rows}
    stages = Stage.objects.filter(pk__in=by_stage).select_related("pipeline")
    stages = sorted(stages, key=lambda s: (s.pipeline.position, s.pipeline.name, s.position, s.pk))
    out = [
        {
            "pipeline": s.pipeline.name,
            "stage": s.name,
            "kind": s.get_kind_display(),
            "count": by_stage[s.pk]["count"],
            "amount": _money(by_stage[s.pk]["total"]),
            "weighted": _money(by_stage[s.pk]["weighted_total"]),
        }
        for s in stages
    ]
    labels = [f"{r['pipeline']}: {r['stage']}" for r in out]
    chart = _bar(
        labels,
        [(_("Amount"), [r["amount"] for r in out]), (_("Weighted"), [r["weighted"] for r in out])],
    )
    return ReportResult(
        [
            Column("pipeline", _("Pipeline")),
            Column("stage", _("Stage")),
            Column("kind", _("Kind")),
            Column("count", _("Deals"), "int"),
            Column("amount", _("Amount"), "money"),
            Column("weighted", _("Weighted amount"), "money"),
        ],
        out,
        chart,
        _("Deals created in the period, by the stage they are in now; amounts at today's rates."),
    )


def win_rate(ctx: Context) -> ReportResult:
    closed = ctx.closed((DealStatus.WON, DealStatus.LOST))
    ctx.rates.check(closed.filter(status=DealStatus.WON), "currency", "closed_at__date")
    rate = ctx.rates.rate_expression("currency", "closed_at__date")
    rows = closed.values("owner_id").annotate(
        won=Count("pk", filter=Q(status=DealStatus.WON)),
        lost=Count("pk", filter=Q(status=DealStatus.LOST)),
        revenue=Sum(
            ExpressionWrapper(F("amount") * rate, output_field=AMOUNT_OUTPUT),
            filter=Q(status=DealStatus.WON),
        ),
    )
    labels = group_labels("owner", {r["owner_id"]: None for r in rows})
    out = []
    for r in rows:
        total = r["won"] + r["lost"]
        out.append(
            {
                "owner": labels[r["owner_id"]],
                "won": r["won"],
                "lost": r["lost"],
                "closed": total,
                "win_rate": round(Decimal(100 * r["won"]) / total, 1) if total else ZERO,
                "revenue": _money(r["revenue"]),
            }
        )
    out.sort(key=lambda r: (-r["win_rate"], r["owner"]))
    monthly = (
        closed.annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(
            won=Count("pk", filter=Q(status=DealStatus.WON)),
            closed=Count("pk"),
        )
    )
    keys = periods.period_keys(ctx.start, ctx.end)
    won, total = defaultdict(int), defaultdict(int)
    for r in monthly:
        key = periods.period_key(r["month"])
        won[key] += r["won"]
        total[key] += r["closed"]
    chart = _bar(
        [periods.period_label(k) for k in keys],
        [
            (
                _("Win rate, %"),
                [round(100 * won[k] / total[k], 1) if total[k] else 0 for k in keys],
            )
        ],
        kind="line",
    )
    return ReportResult(
        [
            Column("owner", _("Rep")),
            Column("won", _("Won"), "int"),
            Column("lost", _("Lost"), "int"),
            Column("closed", _("Closed"), "int"),
            Column("win_rate", _("Win rate, %"), "percent"),
            Column("revenue", _("Won amount"), "money"),
        ],
        out,
        chart,
        _("Deals closed in the period: won ÷ (won + lost)."),
    )


def sales_cycle(ctx: Context) -> ReportResult:
    won = ctx.closed()
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = won.values("pipeline_id", "pipeline__name", "owner_id").annotate(
        deals=Count("pk"), cycle=Avg(cycle)
    )
    labels = group_labels("owner", {r["owner_id"]: None for r in rows})
    out = [
        {
            "pipeline": r["pipeline__name"],
            "owner": labels[r["owner_id"]],
            "deals": r["deals"],
            "days": _days(r["cycle"]),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (r["pipeline"], r["owner"]))
    per_pipeline = (
        won.values("pipeline__name").annotate(cycle=Avg(cycle)).order_by("pipeline__name")
    )
    chart = _bar(
        [r["pipeline__name"] for r in per_pipeline],
        [(_("Average days to win"), [_days(r["cycle"]) for r in per_pipeline])],
    )
    return ReportResult(
        [
            Column("pipeline", _("Pipeline")),
            Column("owner", _("Rep")),
            Column("deals", _("Won deals"), "int"),
            Column("days", _("Average days from creation to win"), "days"),
        ],
        out,
        chart,
        _("Deals won in the period: the time from the deal's creation to its win."),
    )


def _days(duration: timedelta | None) -> Decimal:
    if duration is None:
        return ZERO
    return round(Decimal(duration.total_seconds()) / 86400, 1)


def _revenue_by(dimension: str, label: Callable[[list], dict], title) -> Callable:
    def build(ctx: Context) -> ReportResult:
        won = ctx.closed()
        amount = ctx.closing_amount(won)
        rows = list(won.values(dimension).annotate(deals=Count("pk"), revenue=amount))
        names = label([r[dimension] for r in rows])
        out = [
            {
                "name": names.get(r[dimension], "—"),
                "deals": r["deals"],
                "revenue": _money(r["revenue"]),
            }
            for r in rows
        ]
        out.sort(key=lambda r: (-r["revenue"], r["name"]))
        return ReportResult(
            [
                Column("name", str(title)),
                Column("deals", _("Won deals"), "int"),
                Column("revenue", _("Revenue"), "money"),
            ],
            out,
            _bar([r["name"] for r in out[:30]], [(_("Revenue"), [r["revenue"] for r in out[:30]])]),
            _("Revenue is the amount of the deals won in the period, at the rate of the day won."),
        )

    return build


def _labels_of(group_by: str):
    return lambda ids: group_labels(group_by, {i: None for i in ids})


def _territories(ids) -> dict:
    from rapport.accounts.models import Territory

    names = dict(Territory.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))
    return {i: names.get(i, _("no territory")) for i in ids}


def _sources(ids) -> dict:
    from rapport.contacts.choices import Source

    return {i: str(Source(i).label) if i in Source.values else i for i in ids}


def revenue_by_product(ctx: Context) -> ReportResult:
    lines, rate = ctx.order_lines()
    net = ExpressionWrapper(F("net_amount") * rate, output_field=AMOUNT_OUTPUT)
    rows = lines.values("product_id", "product__name").annotate(
        qty=Sum("quantity"), orders=Count("order", distinct=True), revenue=Sum(net)
    )
    out = [
        {
            "name": r["product__name"] or _("lines without a product"),
            "quantity": r["qty"] or ZERO,
            "orders": r["orders"],
            "revenue": _money(r["revenue"]),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["revenue"], r["name"]))
    return ReportResult(
        [
            Column("name", _("Product or service")),
            Column("quantity", _("Quantity"), "quantity"),
            Column("orders", _("Orders"), "int"),
            Column("revenue", _("Revenue without tax"), "money"),
        ],
        out,
        _bar([r["name"] for r in out[:30]], [(_("Revenue"), [r["revenue"] for r in out[:30]])]),
        _(
            "The lines of all orders dated in the period (cancelled orders excepted): their "
            "amount after discounts and without tax, at the rate of the order date."
        ),
    )


def customer_history(ctx: Context) -> ReportResult:
    from rapport.contacts.models import Company

    if ctx.company:
        company = Company.objects.restrict(ctx.user).filter(pk=ctx.company).first()
        if company is None:
            raise Http404
        return _one_customer(ctx, company)
    won = ctx.closed().filter(company__isnull=False)
    amount = ctx.closing_amount(won)
    rows = (
        won.values("company_id", "company__name")
        .annotate(deals=Count("pk"), revenue=amount, last=Max("closed_at"))
        .order_by("-revenue", "company__name")[:50]
    )
    out = [
        {
            "company": r["company__name"],
            "company_id": r["company_id"],
            "deals": r["deals"],
            "revenue": _money(r["revenue"]),
            "last_won": timezone.localtime(r["last"]).date() if r["last"] else None,
        }
        for r in rows
    ]
    return ReportResult(
        [
            Column("company", _("Customer"), link="company_id"),
            Column("deals", _("Won deals"), "int"),
            Column("revenue", _("Revenue"), "money"),
            Column("last_won", _("Last won"), "date"),
        ],
        out,
        _bar([r["company"] for r in out[:20]], [(_("Revenue"), [r["revenue"] for r in out[:20]])]),
        _(
            "The 50 customers with the most revenue from deals won in the period; pick one to see "
            "its history."
        ),
    )


def _one_customer(ctx: Context, company) -> ReportResult:
    since, until = periods.day_bounds(ctx.start, ctx.end)
    deals = (
        ctx.deals()
        .filter(company=company)
        .filter(
            Q(created_at__gte=since, created_at__lt=until)
            | Q(closed_at__gte=since, closed_at__lt=until)
        )
    )
    ctx.rates.check(deals, "currency", on=ctx.today)
    rate = ctx.rates.rate_expression("currency", on=ctx.today)
    rows = (
        deals.annotate(base=ExpressionWrapper(F("amount") * rate, output_field=AMOUNT_OUTPUT))
        .values("pk", "name", "status", "stage__name", "base", "created_at", "closed_at")
        .order_by("-created_at", "-pk")[:500]
    )
    statuses = dict(DealStatus.choices)
    out = [
        {
            "deal": r["name"],
            "deal_id": r["pk"],
            "stage": r["stage__name"],
            "status": str(statuses.get(r["status"], r["status"])),
            "amount": _money(r["base"]),
            "created": timezone.localtime(r["created_at"]).date(),
            "closed": timezone.localtime(r["closed_at"]).date() if r["closed_at"] else None,
        }
        for r in rows
    ]
    won = ctx.closed().filter(company=company)
    monthly = (
        won.annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(revenue=ctx.closing_amount(won))
    )
    return ReportResult(
        [
            Column("deal", _("Deal")),
            Column("stage", _("Stage")),
            Column("status", _("Status")),
            Column("amount", _("Amount"), "money"),
            Column("created", _("Created"), "date"),
            Column("closed", _("Closed"), "date"),
        ],
        out,
        _monthly(ctx, monthly, "revenue", _("Won revenue")),
        _("Deals of %(company)s created or closed in the period (amounts at today's rates).")
        % {"company": company.name},
    )


def profit_and_loss(ctx: Context) -> ReportResult:
    lines, rate = ctx.order_lines()

    def converted(expression):
        return Sum(ExpressionWrapper(expression * rate, output_field=AMOUNT_OUTPUT))

    rows = lines.values("order__company_id", "order__company__name").annotate(
        gross=converted(F("gross_amount")),
        net=converted(F("net_amount")),
        cost=converted(F("cost_price") * F("quantity")),
        orders=Count("order", distinct=True),
    )
    out = []
    for r in rows:
        gross, net, cost = _money(r["gross"]), _money(r["net"]), _money(r["cost"])
        profit = net - cost
        out.append(
            {
                "company": r["order__company__name"] or _("private customers"),
                "orders": r["orders"],
                "gross": gross,
                "discounts": gross - net,
                "net": net,
                "cost": cost,
                "profit": profit,
                "margin": round(100 * profit / net, 1) if net else ZERO,
            }
        )
    out.sort(key=lambda r: (-r["profit"], r["company"]))
    top = out[:20]
    chart = _bar(
        [r["company"] for r in top],
        [
            (_("Revenue"), [r["net"] for r in top]),
            (_("Cost"), [r["cost"] for r in top]),
            (_("Profit"), [r["profit"] for r in top]),
        ],
    )
    return ReportResult(
        [
            Column("company", _("Customer")),
            Column("orders", _("Orders"), "int"),
            Column("gross", _("Before discounts"), "money"),
            Column("discounts", _("Discounts"), "money"),
            Column("net", _("Revenue"), "money"),
            Column("cost", _("Cost price"), "money"),
            Column("profit", _("Profit"), "money"),
            Column("margin", _("Margin, %"), "percent"),
        ],
        out,
        chart,
        _(
            "Order lines of the orders dated in the period (cancelled orders excepted): revenue "
            "without tax minus discounts minus cost price × quantity, at the rate of the order "
            "date."
        ),
    )


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "pipeline-by-stage",
            gettext_lazy("Pipeline by stage"),
            gettext_lazy("Number, amount and weighted amount of deals in each stage."),
            pipeline_by_stage,
        ),
        Report(
            "win-rate",
            gettext_lazy("Win rate"),
            gettext_lazy("Won deals out of closed deals, by month and by rep."),
            win_rate,
        ),
        Report(
            "sales-cycle",
            gettext_lazy("Sales cycle length"),
            gettext_lazy("Average days from creation to win, by pipeline and rep."),
            sales_cycle,
        ),
        Report(
            "revenue-by-rep",
            gettext_lazy("Revenue by rep"),
            gettext_lazy("Won revenue of each sales rep."),
            _revenue_by("owner_id", _labels_of("owner"), gettext_lazy("Rep")),
        ),
        Report(
            "revenue-by-team",
            gettext_lazy("Revenue by team"),
            gettext_lazy("Won revenue of each team."),
            _revenue_by("team_id", _labels_of("team"), gettext_lazy("Team")),
        ),
        Report(
            "revenue-by-territory",
            gettext_lazy("Revenue by territory"),
            gettext_lazy("Won revenue by the customer's territory."),
            _revenue_by("company__territory_id", _territories, gettext_lazy("Territory")),
        ),
        Report(
            "revenue-by-source",
            gettext_lazy("Revenue by lead source"),
            gettext_lazy("Won revenue by what attracted the customer."),
            _revenue_by("source", _sources, gettext_lazy("Lead source")),
        ),
        Report(
            "revenue-by-product",
            gettext_lazy("Revenue by product"),
            gettext_lazy("What was ordered: quantities and revenue per product or service."),
            revenue_by_product,
        ),
        Report(
            "customer-history",
            gettext_lazy("Sales history per customer"),
            gettext_lazy("Top customers by revenue, and each customer's deals."),
            customer_history,
        ),
        Report(
            "profit-and-loss",
            gettext_lazy("Profit and loss by customer"),
            gettext_lazy("Revenue minus discounts minus cost price, per customer."),
            profit_and_loss,
        ),
    )
}


def get_report(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise Http404 from None


def to_xlsx(title: str, result: ReportResult) -> bytes:
    """The table as an XLSX sheet: header, then rows; numbers stay numbers."""
    from openpyxl import Workbook

    from rapport.contacts.fileformats import neutralize

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append([neutralize(c.label) for c in result.columns])
    for row in result.rows:
        sheet.append([_cell(row.get(c.key)) for c in result.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, Decimal | int | float | date) or value is None:
        return value
    from rapport.contacts.fileformats import neutralize

    return neutralize(value)


def _sheet_title(title: str) -> str:
    clean = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")
    return clean[:31] or "Report"
