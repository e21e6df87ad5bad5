"""The sales forecast: weighted pipeline, a forecast learned from history, and actual revenue.

Everything is aggregated in SQL (GROUP BY month and one dimension); Python only folds the
aggregated rows into periods, so the cost does not grow with the number of deals beyond the
database's own scan. Learned per-group figures (a win rate per stage and rep) reach SQL as rows
to join, never as generated expressions: a CASE with a branch per group grows with reps × stages
and made PostgreSQL's JIT compile for minutes (docs/performance.md, "Sales (issue 3)").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connections
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
    # level -> number of open-deal groups, or the function that counts them on first use
    _method_levels: object = field(default_factory=dict, repr=False)

    @property
    def method_levels(self) -> dict:
        """How many groups of open deals the history forecast took at each level ("owner":
        (stage, rep) pairs, "stage" and "pipeline": stages). Counted when first asked for (one
        query; the page does not show it)."""
        if callable(self._method_levels):
            self._method_levels = self._method_levels()
        return self._method_levels

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
    # COUNT(*), not COUNT(id): the (status, closed_at) index answers it alone.
    marks = closed.aggregate(n=Count("*"), last=Max("closed_at"))
    scope = "all" if user.sees_everything else f"user:{user.pk}"
    last = marks["last"].timestamp() if marks["last"] else 0
    key = f"analytics.history.{scope}.{since.date()}.{marks['n']}.{last}"
    cached = cache.get(key)
    if cached is None:
        cached = _learn(user, closed)
        cache.set(key, cached, HISTORY_CACHE_SECONDS)
    return cached


def _learn(user, closed) -> tuple[dict, dict, dict]:
    # The open stages by id (a dozen rows) instead of a join with the stage table in the big
    # query, which then only joins the stage changes with their deals.
    stage_pipeline = _open_stages()
    changes = DealStageChange.objects.filter(
        deal__status__in=[DealStatus.WON, DealStatus.LOST],
        deal__closed_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS),
        from_stage_id__in=list(stage_pipeline),
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
        .values_list("from_stage_id", "deal__owner_id")
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
    for stage, owner, n, won, to_close_avg, stay in stage_rows:
        pipeline = stage_pipeline[stage]
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


def _open_stages() -> dict:
    """{open stage id: its pipeline id}."""
    return dict(Stage.objects.filter(kind=StageKind.OPEN).values_list("pk", "pipeline_id"))


def _history_forecast(forecast, user, deals, open_deals, rates, rate_today, today, in_keys, dims):
    """(b): each open deal with history closes ``remaining`` after entering its stage, with the
    learned probability; the others count with their stage probability on their expected date."""
    by_owner, by_stage, by_pipeline = learn_history(user, deals)
    stage_pipeline = _open_stages()
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

    def fold(day, group, value):
        key = max(periods.period_key(day, forecast.period), current)
        if key in in_keys and value:
            _add(forecast, key, group, "history", value)
            forecast.groups.setdefault(group, None)

    # Usually every stage has history: then no stage filter (it only hides from the planner
    # how many deals come, and a wrong guess makes it sort instead of hashing).
    every = len(covered) == len(stage_pipeline)
    with_history = open_deals if every else open_deals.filter(stage_id__in=covered)
    if covered:
        # The time to close is the stage's (or its pipeline's), so the expected month is
        # computed in SQL (a branch per stage); the probability, the rep's own where the rep has
        # enough history, comes from the learned rows joined to the deals.
        offsets = [
            When(stage_id=stage, then=Value(_whole_days(estimate(stage, None).remaining)))
            for stage in covered
        ]
        expected = ExpressionWrapper(
            F("stage_changed_at") + Case(*offsets, output_field=DurationField()),
            output_field=DateTimeField(),
        )
        stage_rows = [(stage, estimate(stage, None).probability) for stage in covered]
        owner_rows = [
            (stage, owner, found.probability)
            for (stage, owner), found in by_owner.items()
            if owner is not None and found.deals >= MIN_OWNER_DEALS and stage in stage_pipeline
        ]
        rows = _weighted_sums(
            with_history.annotate(
                fc_stage=F("stage_id"),
                fc_owner=F("owner_id"),
                fc_month=TruncMonth(expected, output_field=DateField()),
                fc_amount=ExpressionWrapper(F("amount") * rate_today, output_field=AMOUNT_OUTPUT),
                fc_missing=Case(
                    When(rates.missing_q("currency", on=today), then=Value(1)), default=Value(0)
                ),
                **({"fc_group": F(dims[0])} if dims else {}),
            ),
            stage_rows,
            owner_rows,
            grouped=bool(dims),
        )
        if any(row[-1] for row in rows):
            rates.check(with_history, "currency", on=today)
        for month, *group, value, _missing in rows:
            fold(_as_date(month), group[0] if dims else None, value)

    def count_levels() -> dict:
        levels = defaultdict(set)
        for stage, owner in with_history.values_list("stage_id", "owner_id").distinct():
            found = estimate(stage, owner) if stage in covered else None
            if found:
                levels[found.level].add((stage, owner) if found.level == "owner" else stage)
        return {level: len(keys) for level, keys in levels.items()}

    forecast._method_levels = count_levels if covered else {}
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


def _weighted_sums(deals, stage_rows, owner_rows, *, grouped: bool) -> list[tuple]:
    """(month[, group], SUM(amount × probability), rows without a rate) of ``deals`` (annotated
    with fc_stage, fc_owner, fc_month, fc_amount, fc_missing[, fc_group]), grouped by month (and
    group). The probability is the (stage, rep)'s from ``owner_rows`` where there is one, else the
    stage's from ``stage_rows``; deals of other stages are left out. The learned rows go in as
    VALUES of a WITH clause (SQLite and PostgreSQL alike), numbers the code computed, as literals:
    their count grows with reps × stages, and SQLite allows 32,766 bound parameters."""
    columns = ["fc_stage", "fc_owner", "fc_month", "fc_amount", "fc_missing"]
    columns += ["fc_group"] if grouped else []
    sql, params = deals.values_list(*columns).query.sql_with_params()
    tables = [
        "es(stage_id, p) AS (VALUES "
        + ", ".join(f"({int(stage)}, {_number(p)})" for stage, p in stage_rows)
        + ")"
    ]
    joins = "JOIN es ON es.stage_id = q.fc_stage"
    probability = "es.p"
    if owner_rows:
        # One key per (stage, rep): with a key of two columns SQLite scans the whole list for
        # each deal; with one it builds an automatic index (PostgreSQL hashes either).
        tables.append(
            "eo(k, p) AS (VALUES "
            + ", ".join(f"({_pair(s, o)}, {_number(p)})" for s, o, p in owner_rows)
            + ")"
        )
        joins += f" LEFT JOIN eo ON eo.k = q.fc_stage * {PAIR} + q.fc_owner"
        probability = "COALESCE(eo.p, es.p)"
    keys = "q.fc_month, q.fc_group" if grouped else "q.fc_month"
    query = (
        f"WITH {', '.join(tables)} "
        f"SELECT {keys}, SUM(q.fc_amount * {probability}), SUM(q.fc_missing) "
        f"FROM ({sql}) q {joins} GROUP BY {keys}"
    )
    with connections[deals.db].cursor() as cursor:
        cursor.execute(query, params)
        return [(*row[:-2], _decimal(row[-2]), row[-1]) for row in cursor.fetchall()]


PAIR = 2**32  # (stage, rep) -> stage × 2³² + rep: one integer (ids are below 2³¹)


def _pair(stage: int, owner: int) -> int:
    return int(stage) * PAIR + int(owner)


def _number(value: Decimal) -> str:
    """A probability as a SQL numeric literal (plain digits, never an exponent)."""
    return format(Decimal(value), "f")


def _decimal(value) -> Decimal | None:
    """A sum as the database returned it (SQLite: a float) as a Decimal."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _as_date(value) -> date:
    """A month from a raw query: a date, a datetime (PostgreSQL) or text (SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


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
