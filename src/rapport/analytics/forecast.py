"""The sales forecast: weighted pipeline, a forecast learned from history, and actual revenue.

Everything is aggregated in SQL (GROUP BY month and one dimension); Python only folds the
aggregated rows into periods, so the cost does not grow with the number of deals beyond the
database's own scan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.analytics import periods
from rapport.catalog.rates import AMOUNT_OUTPUT, RateTable
from rapport.core.money import ZERO, round_money
from rapport.sales.choices import DealStatus, StageKind
from rapport.sales.models import Deal, DealStageChange, Stage

HISTORY_DAYS = 730  # closed deals of the last 24 months teach the forecast
MIN_OWNER_DEALS = 10  # a rep's own history counts from this many closed deals in a stage
MIN_STAGE_DEALS = 5  # else the stage's, else the pipeline's history
HISTORY_CACHE_SECONDS = 15 * 60
PERCENT = Value(Decimal("0.01"))  # a multiplication, not "/ 100": SQLite divides integers

DIMENSIONS = {"owner": "owner_id", "team": "team_id", "pipeline": "pipeline_id"}


@dataclass
class Estimate:
    """What history says about a group of open deals: P(win) and when they close."""

    probability: Decimal  # 0..1
    remaining: timedelta  # from ``since`` (stage entry, or creation at the pipeline level)
    level: str  # "owner", "stage" or "pipeline"
    deals: int


@dataclass
class Forecast:
    period: str
    keys: list[date]
    labels: list[str]
    group_by: str
    groups: dict = field(default_factory=dict)  # group id -> label
    # (period key, group id) -> {"weighted", "history", "won", "pipeline"}
    cells: dict = field(default_factory=lambda: defaultdict(dict))
    method_levels: dict = field(default_factory=dict)  # level -> number of open-deal groups

    def value(self, key, group, name) -> Decimal:
        return self.cells.get((key, group), {}).get(name, ZERO)

    def rows(self) -> list[dict]:
        """One row per period (and group, when grouped), in period order."""
        out = []
        groups = sorted(self.groups, key=lambda g: (self.groups[g] or "").lower())
        for key, label in zip(self.keys, self.labels, strict=True):
            for group in groups if self.group_by else [None]:
                row = {
                    "period": key.isoformat(),
                    "label": label,
                    "group": self.groups.get(group, "") if self.group_by else "",
                    "pipeline": round_money(self.value(key, group, "pipeline")),
                    "weighted": round_money(self.value(key, group, "weighted")),
                    "history": round_money(self.value(key, group, "history")),
                    "won": round_money(self.value(key, group, "won")),
                }
                if not self.group_by or any(row[n] for n in ("pipeline", "history", "won")):
                    out.append(row)
        return out

    def totals(self) -> list[dict]:
        out = []
        for key, label in zip(self.keys, self.labels, strict=True):
            sums = {n: ZERO for n in ("pipeline", "weighted", "history", "won")}
            for (cell_key, _group), values in self.cells.items():
                if cell_key == key:
                    for name, value in values.items():
                        sums[name] += value
            out.append(
                {"period": key.isoformat(), "label": label}
                | {n: round_money(v) for n, v in sums.items()}
            )
        return out

    def grand_total(self) -> dict:
        rows = self.totals()
        return {
            n: sum((r[n] for r in rows), ZERO) for n in ("pipeline", "weighted", "history", "won")
        }


def _add(forecast: Forecast, key: date, group, name: str, value) -> None:
    if value is None:
        return
    cell = forecast.cells[(key, group)]
    cell[name] = cell.get(name, ZERO) + Decimal(value)


def _dimension(group_by: str) -> list[str]:
    return [DIMENSIONS[group_by]] if group_by else []


def _group(row: dict, group_by: str):
    return row[DIMENSIONS[group_by]] if group_by else None


def build_forecast(
    user,
    *,
    start: date,
    end: date,
    period: str = periods.MONTH,
    group_by: str = "",
    rates: RateTable | None = None,
    today: date | None = None,
) -> Forecast:
    """The three series for the deals ``user`` may see; raises MissingExchangeRate."""
    rates = rates or RateTable.load()
    today = today or timezone.localdate()
    keys = periods.period_keys(start, end, period)
    forecast = Forecast(
        period=period,
        keys=keys,
        labels=[periods.period_label(k, period) for k in keys],
        group_by=group_by,
    )
    deals = Deal.objects.restrict(user).order_by()
    dims = _dimension(group_by)
    in_keys = set(keys)

    # (a) Weighted pipeline: open deals by expected close date, at today's rates.
    open_deals = deals.filter(status=DealStatus.OPEN)
    dated = open_deals.filter(expected_close_date__gte=start, expected_close_date__lte=end)
    rate_today = rates.rate_expression("currency", on=today)
    base_amount = ExpressionWrapper(F("amount") * rate_today, output_field=AMOUNT_OUTPUT)
    weighted = ExpressionWrapper(
        F("amount") * rate_today * Coalesce("probability", "stage__probability") * PERCENT,
        output_field=AMOUNT_OUTPUT,
    )
    rows = (
        dated.annotate(month=TruncMonth("expected_close_date"))
        .values("month", *dims)
        .annotate(
            open_total=Sum(base_amount),
            weighted_total=Sum(weighted),
            missing=rates.missing_count("currency", on=today),
        )
    )
    rows = rates.check_rows(list(rows), dated, "currency", on=today)
    for row in rows:
        key = periods.period_key(row["month"], period)
        group = _group(row, group_by)
        _add(forecast, key, group, "pipeline", row["open_total"])
        _add(forecast, key, group, "weighted", row["weighted_total"])
        forecast.groups.setdefault(group, None)

    # (b) Forecast from history.
    _history_forecast(forecast, user, deals, open_deals, rates, rate_today, today, in_keys, dims)

    # (c) Actual won revenue, at the rate of the closing day.
    since, until = periods.day_bounds(start, end)
    won = deals.filter(status=DealStatus.WON, closed_at__gte=since, closed_at__lt=until)
    won_amount = ExpressionWrapper(
        F("amount") * rates.rate_expression("currency", "closed_at__date"),
        output_field=AMOUNT_OUTPUT,
    )
    rows = (
        won.annotate(month=TruncMonth("closed_at", output_field=DateField()))
        .values("month", *dims)
        .annotate(
            won_total=Sum(won_amount),
            missing=rates.missing_count("currency", "closed_at__date"),
        )
    )
    rows = rates.check_rows(list(rows), won, "currency", "closed_at__date")
    for row in rows:
        key = periods.period_key(row["month"], period)
        group = _group(row, group_by)
        _add(forecast, key, group, "won", row["won_total"])
        forecast.groups.setdefault(group, None)

    forecast.groups = group_labels(group_by, forecast.groups)
    return forecast


def learn_history(user, deals) -> tuple[dict, dict, dict]:
    """Win rates and remaining cycle lengths from the closed deals of the last 24 months.

    Returns ({(stage, owner): Estimate}, {stage: Estimate}, {pipeline: Estimate}). A closed deal
    "was in" every open stage it left (each move is a DealStageChange with ``from_stage``), and
    the time to close counts from its entry into that stage. Cached while no deal of the scope
    closes (the learning reads every closed deal; the answer changes only when one closes)."""
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    closed = deals.filter(status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=since)
    marks = closed.aggregate(n=Count("pk"), last=Max("closed_at"))
    scope = "all" if user.sees_everything else f"user:{user.pk}"
    last = marks["last"].timestamp() if marks["last"] else 0
    key = f"analytics.history.{scope}.{since.date()}.{marks['n']}.{last}"
    cached = cache.get(key)
    if cached is None:
        cached = _learn(user, closed)
        cache.set(key, cached, HISTORY_CACHE_SECONDS)
    return cached


def _learn(user, closed) -> tuple[dict, dict, dict]:
    changes = DealStageChange.objects.filter(
        deal__status__in=[DealStatus.WON, DealStatus.LOST],
        deal__closed_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS),
        from_stage__kind=StageKind.OPEN,
    )
    if not user.sees_everything:
        changes = changes.filter(deal__in=closed.values("pk"))
    to_close = ExpressionWrapper(
        F("deal__closed_at") - F("changed_at"), output_field=DurationField()
    )
    # Exits of a stage, not distinct deals: a deal rarely comes back to a stage, and counting
    # rows lets the database aggregate by hashing instead of sorting.
    stage_rows = (
        changes.order_by()
        .values_list("from_stage_id", "from_stage__pipeline_id", "deal__owner_id")
        .annotate(
            closed=Count("pk"),
            won=Count("pk", filter=Q(deal__status=DealStatus.WON)),
            to_close=Avg(to_close),
            stay=Avg("seconds_in_from_stage"),
        )
    )
    by_owner = {}
    stage_sums = defaultdict(lambda: [0, 0, 0.0])
    pipeline_sums = defaultdict(lambda: [0, 0, 0.0])
    for stage, pipeline, owner, n, won, to_close_avg, stay in stage_rows:
        remaining = (to_close_avg or timedelta(0)) + timedelta(seconds=float(stay or 0))
        by_owner[(stage, owner)] = Estimate(Decimal(won) / n, remaining, "owner", n)
        for sums in (stage_sums[stage], pipeline_sums[pipeline]):
            sums[0] += n
            sums[1] += won
            sums[2] += remaining.total_seconds() * n

    def average(sums, level):
        return {
            k: Estimate(Decimal(won) / n, timedelta(seconds=secs / n), level, n)
            for k, (n, won, secs) in sums.items()
        }

    return by_owner, average(stage_sums, "stage"), average(pipeline_sums, "pipeline")


def _history_forecast(forecast, user, deals, open_deals, rates, rate_today, today, in_keys, dims):
    """(b): each open deal with history closes ``remaining`` after entering its stage, with the
    learned probability; the others count with their stage probability on their expected date."""
    by_owner, by_stage, by_pipeline = learn_history(user, deals)
    stage_pipeline = dict(
        Stage.objects.filter(kind=StageKind.OPEN).values_list("pk", "pipeline_id")
    )
    chosen: dict = {}

    def estimate(stage, owner) -> Estimate | None:
        if (stage, owner) not in chosen:
            found = by_owner.get((stage, owner)) if owner is not None else None
            if not found or found.deals < MIN_OWNER_DEALS:
                found = by_stage.get(stage)
                if not found or found.deals < MIN_STAGE_DEALS:
                    found = by_pipeline.get(stage_pipeline.get(stage))
                    if found and found.deals < MIN_STAGE_DEALS:
                        found = None
            chosen[(stage, owner)] = found
        return chosen[(stage, owner)]

    # The rep's own history needs more deals than the stage's, so a stage without history of
    # its own or of its pipeline has none for any rep either.
    covered = [stage for stage in stage_pipeline if estimate(stage, None)]
    current = periods.period_key(today, forecast.period)
    levels = defaultdict(set)

    def fold(day, group, value):
        key = max(periods.period_key(day, forecast.period), current)
        if key in in_keys and value:
            _add(forecast, key, group, "history", value)
            forecast.groups.setdefault(group, None)

    # Usually every stage has history: then no stage filter (it only hides from the planner
    # how many deals come, and a wrong guess makes it sort instead of hashing).
    every = len(covered) == len(stage_pipeline)
    with_history = open_deals if every else open_deals.filter(stage_id__in=covered)
    amount = ExpressionWrapper(F("amount") * rate_today, output_field=AMOUNT_OUTPUT)
    # The time to close is the stage's (or its pipeline's), so the expected month is computed
    # in SQL; the rep's own history refines the probability, applied per aggregated row (one
    # row per stage, rep, group and expected month: a single pass, however many deals).
    offsets = [
        When(stage_id=stage, then=Value(_whole_days(estimate(stage, None).remaining)))
        for stage in covered
    ]
    expected = ExpressionWrapper(
        F("stage_changed_at") + Case(*offsets, output_field=DurationField()),
        output_field=DateTimeField(),
    )
    rows = (
        with_history.annotate(month=TruncMonth(expected, output_field=DateField()))
        .values_list("stage_id", "owner_id", "month", *dims)
        .annotate(missing=rates.missing_count("currency", on=today), total=Sum(amount))
    )
    rows = rates.check_rows(list(rows), with_history, "currency", on=today)
    by_month: dict = defaultdict(Decimal)
    for row in rows:
        found = chosen.get(row[:2]) or estimate(row[0], row[1])
        levels[found.level].add(row[:2] if found.level == "owner" else row[0])
        by_month[(row[2], row[3] if dims else None)] += row[-1] * found.probability
    for (month, group), value in by_month.items():
        fold(month, group, value)
    forecast.method_levels = {level: len(keys) for level, keys in levels.items()}
    # Deals without enough history: the stage probability on their expected close date.
    rest = open_deals.exclude(stage_id__in=covered).filter(expected_close_date__isnull=False)
    if every:
        rest = rest.none()
    weighted = ExpressionWrapper(
        F("amount") * rate_today * Coalesce("probability", "stage__probability") * PERCENT,
        output_field=AMOUNT_OUTPUT,
    )
    rows = (
        rest.annotate(month=TruncMonth("expected_close_date"))
        .values_list("month", *dims)
        .annotate(missing=rates.missing_count("currency", on=today), total=Sum(weighted))
    )
    rows = rates.check_rows(list(rows), rest, "currency", on=today)
    for row in rows:
        fold(row[0], row[1] if dims else None, row[-1])


def _whole_days(duration: timedelta) -> timedelta:
    return timedelta(days=round(duration.total_seconds() / 86400))


def group_labels(group_by: str, groups) -> dict:
    """Names for the group ids (one query), "—" for none."""
    ids = [g for g in groups if g is not None]
    labels: dict = {}
    if group_by == "owner":
        from rapport.accounts.models import User

        for pk, first, last, username in User.objects.filter(pk__in=ids).values_list(
            "pk", "first_name", "last_name", "username"
        ):
            labels[pk] = User.label_for(first, last, username)
    elif group_by == "team":
        from rapport.accounts.models import Team

        labels = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group_by == "pipeline":
        from rapport.sales.models import Pipeline

        labels = dict(Pipeline.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = {g: labels.get(g, str(g)) for g in ids}
    if None in groups:
        out[None] = _("nobody") if group_by == "owner" else "—"
    return out
