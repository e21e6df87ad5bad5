"""Date rules ("3 days before an invoice is due", "a customer's birthday"): a periodic scan queues
one run row per record and date, and workers claim the queue in batches.

The scan reads each rule's due records in one query (plus one for the occasions already queued
or run) and writes the new runs in bulk as ``pending``; the unique (rule, record, occasion)
row means a second scan, or two schedulers, queue nothing twice. Workers claim up to
``BATCH`` pending runs at a time with ``SELECT ... FOR UPDATE SKIP LOCKED`` and mark them
``running`` in the same transaction, so any number of workers share the queue and none runs an
item another has claimed. A record's date counts in the window from today to ``days_before``
days ahead, so a day the scheduler was down is caught up the next day.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from rapport.automation import targets
from rapport.automation.choices import RunStatus, Trigger
from rapport.automation.models import Rule, RuleRun
from rapport.automation.services.batches import Batch
from rapport.automation.services.runs import (
    FINISH_FIELDS,
    conditions_hold,
    execute,
    owner_and_person_fields,
    tally,
)

logger = logging.getLogger(__name__)

BATCH = 200
# Runs per commit when each run's actions have a savepoint of their own (a batched rule's chunk
# is a whole claim: see ``_run_chunk``).
COMMIT_EVERY = 50
SCAN_CHUNK = 2000
MAX_PARALLEL_TASKS = 16


def _window(rule: Rule, today: datetime.date) -> list[datetime.date]:
    return [today + datetime.timedelta(days=n) for n in range((rule.days_before or 0) + 1)]


def _month_day(day: datetime.date) -> int:
    return day.month * 100 + day.day


def occasion_key(rule: Rule, day: datetime.date) -> str:
    return f"date:{rule.trigger_field}:{day.isoformat()}"


def _yearly_occasions(window: list[datetime.date]) -> dict[int, datetime.date]:
    """{month*100+day: the date it falls on} for the window; a 29 February birthday is kept on
    1 March in a common year (as the person's card counts it)."""
    found = {_month_day(day): day for day in window}
    for day in window:
        if day.month == 3 and day.day == 1 and not calendar.isleap(day.year):
            found[229] = day
    return found


def due_items(rule: Rule, today: datetime.date) -> list[tuple[int, datetime.date]]:
    """(record id, the date it is due for) of each record whose date falls in the window."""
    model = rule.model
    name = rule.trigger_field
    window = _window(rule, today)
    manager = model._base_manager
    if targets.is_yearly(model, name):
        occasions = _yearly_occasions(window)
        field_names = {f.name for f in model._meta.concrete_fields}
        if f"{name}_md" in field_names:  # an indexed month-and-day column
            rows = manager.filter(**{f"{name}_md__in": list(occasions)}).values_list(
                "pk", f"{name}_md"
            )
            return [(pk, occasions[md]) for pk, md in rows if md in occasions]
        q = Q(pk__in=[])
        for md in occasions:
            q |= Q(**{f"{name}__month": md // 100, f"{name}__day": md % 100})
        rows = manager.filter(q).values_list("pk", name)
        return [(pk, occasions[_month_day(day)]) for pk, day in rows if day]
    rows = manager.filter(**{f"{name}__range": (window[0], window[-1])}).values_list("pk", name)
    return list(rows)


def scan_rule(rule: Rule, today: datetime.date | None = None) -> int:
    """Queue the runs of one date rule due today; returns how many were queued."""
    today = today or timezone.localdate()
    model = rule.model
    if model is None:
        return 0
    items = due_items(rule, today)
    if not items:
        return 0
    keys = {occasion_key(rule, day) for day in _window(rule, today)} | {
        occasion_key(rule, day) for _pk, day in items
    }
    known = set(
        RuleRun.objects.filter(rule=rule, trigger_key__in=keys).values_list(
            "object_id", "trigger_key"
        )
    )
    fresh = [(pk, occasion_key(rule, day)) for pk, day in items]
    fresh = [(pk, key) for pk, key in fresh if (pk, key) not in known]
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    queued = 0
    now = timezone.now()
    for start in range(0, len(fresh), SCAN_CHUNK):
        chunk = fresh[start : start + SCAN_CHUNK]
        found = model._base_manager.in_bulk([pk for pk, _key in chunk])
        rows = [
            RuleRun(
                rule=rule,
                content_type=content_type,
                object_id=pk,
                object_repr=str(found[pk])[:300],
                trigger_key=key,
                status=RunStatus.PENDING,
                created_at=now,
            )
            for pk, key in chunk
            if pk in found and conditions_hold(rule, found[pk])
        ]
        # Another scan may have queued some meanwhile: theirs stay, ours are dropped.
        RuleRun.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        queued += len(rows)
    return queued


def scan_date_rules(today: datetime.date | None = None) -> dict[str, int]:
    """Queue every active date rule's due runs; returns {"queued": n, "pending": m}."""
    queued = 0
    for rule in Rule.objects.filter(is_active=True, trigger=Trigger.DATE_APPROACHING).order_by(
        "pk"
    ):
        queued += scan_rule(rule, today)
    pending = RuleRun.objects.filter(status=RunStatus.PENDING).count()
    return {"queued": queued, "pending": pending}


def workers_wanted(pending: int) -> int:
    """How many run-the-queue tasks to enqueue for ``pending`` runs: one per batch, at most
    ``MAX_PARALLEL_TASKS`` (each works until the queue is empty, so idle workers help)."""
    return min(-(-pending // BATCH), MAX_PARALLEL_TASKS) if pending else 0


def claim_batch(size: int | None = None) -> list[int]:
    """Claim up to ``size`` pending runs for this worker: locked rows another worker holds are
    skipped, and the claim (``running``) commits before any of them runs."""
    with transaction.atomic():
        ids = list(
            RuleRun.objects.select_for_update(skip_locked=True)
            .filter(status=RunStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[: size or BATCH]
        )
        if not ids:
            return []
        RuleRun.objects.filter(pk__in=ids, status=RunStatus.PENDING).update(
            status=RunStatus.RUNNING, started_at=timezone.now()
        )
    return ids


def _write_outcomes(runs: list[RuleRun]) -> None:
    """The outcomes of a chunk of runs in one round trip (``bulk_update`` builds a CASE per
    field and row: it cost more than the actions of a notification rule)."""
    if not runs:
        return
    fields = [RuleRun._meta.get_field(name) for name in FINISH_FIELDS]
    table = connection.ops.quote_name(RuleRun._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    rows = [
        [f.get_db_prep_save(getattr(run, f.attname), connection) for f in fields] + [run.pk]
        for run in runs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)


def _still_due(rule: Rule, record, key: str, today: datetime.date) -> bool:
    """The record's date still falls on the occasion it was queued for (it may have moved)."""
    value = getattr(record, rule.trigger_field, None)
    if value is None:
        return False
    window = _window(rule, today)
    if targets.is_yearly(type(record), rule.trigger_field):
        occasions = _yearly_occasions(window)
        day = occasions.get(_month_day(value))
        return day is not None and occasion_key(rule, day) == key
    return window[0] <= value <= window[-1] and occasion_key(rule, value) == key


def _run_chunk(
    rule: Rule, chunk: list[RuleRun], found: dict, today: datetime.date, *, batched: bool
) -> tuple[list[RuleRun], list[int]]:
    """Run a chunk of one rule's runs in one transaction (a commit waits for the disk, a
    savepoint does not); returns (the runs done, the ids of those dropped). A worker that dies
    mid-chunk leaves its runs claimed and none of their actions saved; the reaper re-queues
    them. ``batched``: the runs' tasks and notifications are written together (batches.py),
    else each run's actions are done in a savepoint of its own."""
    executed, dropped = [], []
    batch = Batch(rule) if batched else None
    with transaction.atomic():
        for run in chunk:
            record = found.get(run.object_id)
            if (
                record is None
                or not _still_due(rule, record, run.trigger_key, today)
                or not conditions_hold(rule, record)
            ):
                dropped.append(run.pk)
                continue
            executed.append(execute(rule, run, record, save=False, batch=batch))
        if batch is not None:
            batch.write()
        _write_outcomes(executed)
    return executed, dropped


def run_claimed(ids: list[int], today: datetime.date | None = None) -> dict[str, int]:
    """Run claimed runs: the records of a batch are read in one query per record type; a run
    whose record is gone, whose date moved or whose conditions no longer hold is dropped (a
    later scan queues it again if it becomes due)."""
    today = today or timezone.localdate()
    runs = list(
        RuleRun.objects.filter(pk__in=ids, status=RunStatus.RUNNING)
        .select_related("rule", "rule__author")
        .order_by("pk")
    )
    groups: dict[tuple[int, int], list[RuleRun]] = defaultdict(list)
    for run in runs:
        groups[(run.rule_id, run.content_type_id)].append(run)
    dropped: list[int] = []
    counts: dict[int, tuple[int, int]] = {}
    done = 0
    for (rule_id, _ct), group in groups.items():
        rule = group[0].rule
        model = rule.model
        if model is None or not rule.is_active or rule.trigger != Trigger.DATE_APPROACHING:
            dropped.extend(run.pk for run in group)
            continue
        related = owner_and_person_fields(model)
        found = model._base_manager.select_related(*related).in_bulk(
            [run.object_id for run in group]
        )
        runs_made = failures = 0
        batched = Batch.fits(rule)
        size = BATCH if batched else COMMIT_EVERY
        for start in range(0, len(group), size):
            chunk = group[start : start + size]
            try:
                executed, left = _run_chunk(rule, chunk, found, today, batched=batched)
            except Exception:
                if not batched:
                    raise
                # The chunk rolled back as a whole: run it again one run at a time, each in a
                # savepoint of its own, so that an error is logged on the run it belongs to.
                logger.warning(
                    "A batch of rule %s failed; running it run by run", rule.pk, exc_info=True
                )
                executed, left = _run_chunk(rule, chunk, found, today, batched=False)
            dropped.extend(left)
            runs_made += len(executed)
            failures += sum(run.status == RunStatus.FAILED for run in executed)
        done += runs_made
        counts[rule_id] = (runs_made, failures)
    if dropped:
        RuleRun.objects.filter(pk__in=dropped, status=RunStatus.RUNNING).delete()
    tally(counts)
    return {"done": done, "dropped": len(dropped)}


def run_pending(
    max_batches: int | None = None, today: datetime.date | None = None
) -> dict[str, int]:
    """Claim and run batches of pending runs until the queue is empty (or ``max_batches``)."""
    totals = {"done": 0, "dropped": 0, "batches": 0}
    while max_batches is None or totals["batches"] < max_batches:
        ids = claim_batch()
        if not ids:
            break
        outcome = run_claimed(ids, today)
        totals["done"] += outcome["done"]
        totals["dropped"] += outcome["dropped"]
        totals["batches"] += 1
    return totals
