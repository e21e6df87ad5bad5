"""Running rules: which rules an event sets off, the claim (a run row first), the actions in one
transaction with the run's outcome, and the log."""

from __future__ import annotations

import datetime
import logging
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.automation import expressions, targets
from rapport.automation.chain import MAX_DEPTH, chain_during_commit
from rapport.automation.choices import RunStatus, Trigger
from rapport.automation.models import Rule, RuleRun
from rapport.automation.services.actions import perform
from rapport.core import records, scoping
from rapport.core.errors import DomainError, NotFound
from rapport.core.models import ChangeAction, ChangeRecord

logger = logging.getLogger(__name__)

# Event names are "<model name>.<what happened>"; these say a record changed.
CHANGE_SUFFIXES = frozenset({"updated", "moved", "status_changed"})
HANDLED_SUFFIXES = CHANGE_SUFFIXES | {"created"}


@cache
def _record_types_by_model_name() -> dict[str, records.RecordType]:
    found: dict[str, records.RecordType] = {}
    clashing: set[str] = set()
    for kind in records.record_types():
        name = kind.model._meta.model_name
        if name in found:
            clashing.add(name)
        found[name] = kind
    return {name: kind for name, kind in found.items() if name not in clashing}


def record_type_for_event(name: str) -> tuple[records.RecordType, str] | None:
    """(record type, what happened) of an event about a record rules may watch, else None."""
    prefix, _dot, suffix = name.partition(".")
    if suffix not in HANDLED_SUFFIXES:
        return None
    kind = _record_types_by_model_name().get(prefix)
    return (kind, suffix) if kind else None


# Conditions, compiled once per version of a rule --------------------------------------------------
_compiled: dict[tuple[int, object], object] = {}


def conditions_hold(rule: Rule, record) -> bool:
    key = (rule.pk, rule.updated_at)
    check = _compiled.get(key)
    if check is None:
        if len(_compiled) > 500:
            _compiled.clear()
        check = expressions.compile_conditions(type(record), rule.conditions, rule.match)
        _compiled[key] = check
    return check(record)


# Events -------------------------------------------------------------------------------------------
def _latest_change(content_type_id: int, object_id: int, occurred_at) -> ChangeRecord | None:
    """The change the event is about: the record's last change written before the event."""
    return (
        ChangeRecord.objects.filter(
            content_type_id=content_type_id,
            object_id=object_id,
            action=ChangeAction.UPDATE,
            created_at__lte=occurred_at,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _changed_fields(change: ChangeRecord) -> set[str]:
    before, after = change.before or {}, change.after or {}
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


def process_event(
    *, name: str, payload: dict, occurred_at: datetime.datetime, chain=()
) -> list[RuleRun]:
    """Run the active rules an event sets off; return the runs made (none for an event that
    was processed before: its runs exist already)."""
    found = record_type_for_event(name)
    object_id = payload.get("id")
    if found is None or not isinstance(object_id, int):
        return []
    kind, suffix = found
    content_type = ContentType.objects.get_for_model(kind.model)
    rules = list(
        Rule.objects.filter(content_type=content_type, is_active=True)
        .exclude(trigger=Trigger.DATE_APPROACHING)
        .select_related("author")
    )
    wanted: list[tuple[Rule, str]] = []
    change: ChangeRecord | None | bool = False  # False: not read yet
    for rule in rules:
        key = None
        if rule.trigger == Trigger.CREATED and suffix == "created":
            key = "created"
        elif rule.trigger == Trigger.FIELD_CHANGED and suffix in CHANGE_SUFFIXES:
            if change is False:
                change = _latest_change(content_type.pk, object_id, occurred_at)
            if change and rule.trigger_field in _changed_fields(change):
                key = f"change:{change.pk}"
        elif (
            rule.trigger == Trigger.STAGE_REACHED
            and suffix == "moved"
            and payload.get("to_stage") == rule.trigger_stage
        ):
            if change is False:
                change = _latest_change(content_type.pk, object_id, occurred_at)
            key = f"stage:{rule.trigger_stage}:" + (
                str(change.pk) if change else occurred_at.isoformat()
            )
        if key:
            wanted.append((rule, key))
    if not wanted:
        return []
    record = kind.model._base_manager.filter(pk=object_id).first()
    if record is None:
        return []
    runs = []
    for rule, key in wanted:
        run = run_rule(rule, record, key, chain=tuple(chain))
        if run is not None:
            runs.append(run)
    return runs


# One rule on one record ---------------------------------------------------------------------------
def _claim(rule: Rule, record, key: str, depth: int, status=RunStatus.RUNNING) -> RuleRun | None:
    """Write the run row first; a second claim of the same occasion finds it and gets None."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return RuleRun.objects.create(
                rule=rule,
                content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
                object_id=record.pk,
                object_repr=str(record)[:300],
                trigger_key=key[:120],
                status=status,
                depth=depth,
                created_at=now,
                started_at=now,
            )
    except IntegrityError:
        return None


def tally(counts: dict[int, tuple[int, int]]) -> None:
    """Add {rule id: (runs, failures)} to the rules' counters (one UPDATE per rule)."""
    now = timezone.now()
    for rule_id, (runs, failures) in counts.items():
        if runs:
            Rule.objects.filter(pk=rule_id).update(
                runs_count=F("runs_count") + runs,
                failures_count=F("failures_count") + failures,
                last_run_at=now,
            )


def run_rule(rule: Rule, record, key: str, *, chain=(), check=True) -> RuleRun | None:
    """Run ``rule`` on ``record`` for the occasion ``key`` unless its conditions do not hold
    (nothing is logged then) or it ran for that occasion already (None)."""
    if check and not conditions_hold(rule, record):
        return None
    depth = len(chain)
    if depth >= MAX_DEPTH:
        run = _claim(rule, record, key, depth)
        if run is not None:
            names = dict(Rule.objects.filter(pk__in=chain).values_list("pk", "name"))
            with translation.override(_language(rule)):
                message = _(
                    "Loop stopped: this run would have been number %(n)d in a chain of rules "
                    "setting each other off (%(chain)s); a chain stops after %(max)d runs."
                ) % {
                    "n": depth + 1,
                    "chain": " → ".join(f"“{names.get(pk, pk)}”" for pk in [*chain, rule.pk]),
                    "max": MAX_DEPTH,
                }
            _finish(run, RunStatus.FAILED, message, [])
            tally({rule.pk: (1, 1)})
        return run
    run = _claim(rule, record, key, depth)
    if run is None:
        return None
    execute(rule, run, record, chain=tuple(chain))
    tally({rule.pk: (1, 1 if run.status == RunStatus.FAILED else 0)})
    return run


def _language(rule: Rule) -> str:
    author = rule.author
    return (author.language if author else "") or settings.LANGUAGE_CODE


FINISH_FIELDS = ["status", "message", "actions_done", "finished_at"]


def _finish(run: RuleRun, status: str, message: str, done: list, *, save: bool = True) -> None:
    run.status, run.message, run.actions_done = status, message, done
    run.finished_at = timezone.now()
    if save:
        RuleRun.objects.filter(pk=run.pk).update(
            status=status, message=message, actions_done=done, finished_at=run.finished_at
        )


def error_message(exc: BaseException, rule: Rule) -> str:
    """A failed run's reason, for the administrator reading the log."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(
                f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                for field, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    if isinstance(exc, NotFound | PermissionDenied):
        return _(
            "The record, or something the action needs, is not available to the rule's author "
            "(%(user)s)."
        ) % {"user": rule.author or "—"}
    if isinstance(exc, DomainError):
        return str(exc.message)
    return _("Unexpected error: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:300]}


def _done(run: RuleRun, outcomes: list, *, save: bool) -> None:
    done = [outcome.as_json() for outcome in outcomes]
    status = RunStatus.DONE if any(o.done for o in outcomes) else RunStatus.SKIPPED
    message = "\n".join(o.detail for o in outcomes if not o.done)
    _finish(run, status, message, done, save=save)


def _perform_all(rule: Rule, run: RuleRun, record, actor, batch) -> list:
    return [
        perform(action, index, rule=rule, run=run, record=record, actor=actor, batch=batch)
        for index, action in enumerate(rule.actions)
    ]


def execute(
    rule: Rule, run: RuleRun, record, *, chain=(), save: bool = True, batch=None
) -> RuleRun:
    """Do the rule's actions, in order, in one transaction with the run's outcome: all of them
    or (on an error) none, the run then marked failed with the reason.

    With ``save=False`` the outcome is only set on ``run``: the caller (a batch of date runs,
    inside its own transaction) writes the outcomes of the batch together. With a ``batch``
    (services/batches.py) the actions only check and collect what they would write, the batch
    writes it for all its runs; a database error then goes to the caller, whose transaction it
    broke."""
    actor = rule.author
    with translation.override(_language(rule)):
        try:
            if not scoping.may_write(actor) or not actor.is_administrator:
                raise DomainError(
                    _(
                        "The rule's author (%(user)s) is no longer an active administrator: an "
                        "administrator must save the rule again to run it as themselves."
                    )
                    % {"user": actor or "—"}
                )
            if batch is not None:
                with batch.collecting(run):
                    _done(run, _perform_all(rule, run, record, actor, batch), save=save)
            else:
                with transaction.atomic():
                    with chain_during_commit((*chain, rule.pk)):
                        _done(run, _perform_all(rule, run, record, actor, None), save=save)
        except Exception as exc:  # the actions rolled back; the log says why
            if batch is not None and isinstance(exc, DatabaseError):
                raise
            logger.info("Automation rule %s failed on %s: %s", rule.pk, record.pk, exc)
            _finish(run, RunStatus.FAILED, error_message(exc, rule), [], save=save)
    return run


# Runs left behind -------------------------------------------------------------------------------
def reap_stale_runs(now: datetime.datetime | None = None) -> dict[str, int]:
    """Runs a worker claimed and never finished (it died): their actions never committed (they
    commit together with the outcome), so a date rule's run goes back to the queue and an
    event's run is marked failed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.RAPPORT["TASK_LEASE_SECONDS"])
    stale = RuleRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff)
    requeued = stale.filter(trigger_key__startswith="date:").update(
        status=RunStatus.PENDING, started_at=None
    )
    failed = 0
    for run in stale.select_related("rule__author"):
        with translation.override(_language(run.rule)):
            message = _(
                "The worker stopped before the run finished; none of its actions were saved."
            )
        failed += RuleRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, message=message, finished_at=now
        )
        tally({run.rule_id: (0, 1)})
    return {"requeued": requeued, "failed": failed}


def owner_and_person_fields(model) -> list[str]:
    """Relations the actions read, fetched with the records of a batch."""
    names = {f.name for f in model._meta.concrete_fields if f.is_relation}
    kind = records.record_type_of(model)
    wanted = [name for name in targets.OWNER_FIELDS if name in names]
    if kind and kind.person and kind.person in names:
        wanted.append(kind.person)
    return wanted
