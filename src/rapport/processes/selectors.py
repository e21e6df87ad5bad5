"""Reads of the processes app: a record's processes, the dashboard's rows, process analytics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from rapport.accounts.models import User
from rapport.core import records
from rapport.core.models import ChangeAction, ChangeRecord
from rapport.processes.choices import ProcessStatus, StageStatus
from rapport.processes.models import ProcessInstance, ProcessStage, ProcessTemplate


def _stages() -> Prefetch:
    return Prefetch(
        "stages",
        queryset=ProcessStage.objects.select_related(
            "executor_user", "executor_department", "skipped_by", "task"
        ).order_by("position", "pk"),
    )


def with_stages(qs: QuerySet) -> QuerySet:
    return qs.select_related("template", "controller", "started_by").prefetch_related(_stages())


def processes_for_record(user, record) -> list[ProcessInstance]:
    """The processes on ``record`` the user sees, running first, each with its stages."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    qs = ProcessInstance.objects.restrict(user).filter(
        content_type=content_type, object_id=record.pk
    )
    rows = list(with_stages(qs.order_by("-started_at", "-pk"))[:20])
    return _annotate(rows, {(content_type.pk, record.pk): record})


def processes_for_customer(user, *, company=None, person=None) -> list[ProcessInstance]:
    """The processes on any record of a customer (the company's or the person's card)."""
    qs = ProcessInstance.objects.restrict(user)
    qs = qs.filter(company=company) if company is not None else qs.filter(person=person)
    rows = list(with_stages(qs.order_by("-started_at", "-pk"))[:20])
    found = records.records_by_key([(p.content_type_id, p.object_id) for p in rows])
    return _annotate(rows, found)


def _annotate(
    rows: list[ProcessInstance], found: dict, *, keep_order=False
) -> list[ProcessInstance]:
    now = timezone.now()
    for instance in rows:
        instance.record = found.get((instance.content_type_id, instance.object_id))
        stages = list(instance.stages.all())
        for stage in stages:
            stage.instance = instance
            stage.deviation = stage.is_deviation(now)
            stage.overdue = instance.is_running and stage.is_overdue(now)
        instance.stage_list = stages
        instance.deviations = sum(1 for s in stages if s.deviation)
    if keep_order:
        return rows
    running_first = {ProcessStatus.RUNNING: 0}
    rows.sort(key=lambda p: running_first.get(p.status, 1))
    return rows


def with_records(rows: list[ProcessInstance]) -> list[ProcessInstance]:
    """A page of processes (stages prefetched) with their records and deviations: one query
    per record type, whatever the page size."""
    found = records.records_by_key([(p.content_type_id, p.object_id) for p in rows])
    return _annotate(rows, found, keep_order=True)


def processes_by_pk(user, pk) -> ProcessInstance | None:
    """One process the user sees, with its stages and record (None otherwise)."""
    instance = with_stages(ProcessInstance.objects.restrict(user).filter(pk=pk)).first()
    if instance is None:
        return None
    found = records.records_by_key([(instance.content_type_id, instance.object_id)])
    return _annotate([instance], found)[0]


# A process's history --------------------------------------------------------------------------
@dataclass
class HistoryEntry:
    created_at: datetime.datetime
    actor: User | None
    action: str
    name: str
    changes: list[tuple[str, str]]


def _shown(model, key: str, value) -> str:
    """A value of the change log as a person reads it: labels of choices, local times."""
    if value in (None, ""):
        return "—"
    try:
        field_ = model._meta.get_field(key)
    except Exception:  # a key that is not a field
        return str(value)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(field_, DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return str(value)


def process_history(instance: ProcessInstance, limit: int = 50) -> list[HistoryEntry]:
    """The change log of a process and its stages, newest first, in words."""
    stage_type = ContentType.objects.get_for_model(ProcessStage)
    own_type = ContentType.objects.get_for_model(ProcessInstance)
    rows = (
        ChangeRecord.objects.filter(
            Q(content_type=own_type, object_id=instance.pk)
            | Q(content_type=stage_type, object_id__in=[s.pk for s in instance.stage_list])
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    entries = []
    for row in rows:
        model = ProcessStage if row.content_type_id == stage_type.pk else ProcessInstance
        before, after = row.before or {}, row.after or {}
        changes = []
        if row.action == ChangeAction.UPDATE:
            for key in model.tracked_fields:
                if before.get(key) != after.get(key):
                    label = str(model._meta.get_field(key).verbose_name)
                    changes.append((label, _shown(model, key, after.get(key))))
        entries.append(
            HistoryEntry(
                created_at=row.created_at,
                actor=row.actor,
                action=row.get_action_display(),
                name=row.object_repr,
                changes=changes,
            )
        )
    return entries


# The dashboard ----------------------------------------------------------------------------------
def dashboard_queryset(user) -> QuerySet:
    """The processes the user sees (a controller and a head theirs, a director all), the most
    overdue current stage first (``current_due`` ascending: overdue ones are the earliest)."""
    return ProcessInstance.objects.restrict(user).select_related(
        "template",
        "controller",
        "current_stage",
        "current_stage__executor_user",
        "current_stage__executor_department",
    )


DASHBOARD_SORTS = {
    "due": (F("current_due").asc(nulls_last=True), "id"),
    "started": ("started_at", "id"),
}


def dashboard_rows(page) -> list[ProcessInstance]:
    """The page's processes with their record and number of skipped stages: one query per
    record type and one for the counts, whatever the page size."""
    rows = list(page)
    found = records.records_by_key([(p.content_type_id, p.object_id) for p in rows])
    skipped = dict(
        ProcessStage.objects.filter(
            instance_id__in=[p.pk for p in rows], status=StageStatus.SKIPPED
        )
        .values("instance_id")
        .annotate(n=Count("pk"))
        .values_list("instance_id", "n")
    )
    now = timezone.now()
    for instance in rows:
        instance.record = found.get((instance.content_type_id, instance.object_id))
        instance.skipped = skipped.get(instance.pk, 0)
        instance.overdue = bool(
            instance.is_running and instance.current_due and instance.current_due < now
        )
    return rows


# Analytics --------------------------------------------------------------------------------------
def _duration(end, start) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


@dataclass
class StageFigures:
    template_stage_id: int | None
    name: str
    position: int
    done: int = 0
    average: datetime.timedelta | None = None
    slowest: datetime.timedelta | None = None
    active: int = 0
    overdue: int = 0
    skipped: int = 0
    late: int = 0
    delay_total: datetime.timedelta = datetime.timedelta(0)
    active_time: datetime.timedelta = datetime.timedelta(0)


@dataclass
class ExecutorFigures:
    user: User | None
    done: int
    average: datetime.timedelta | None
    slowest: datetime.timedelta | None


@dataclass
class TemplateAnalytics:
    template: ProcessTemplate
    running: int = 0
    completed: int = 0
    cancelled: int = 0
    stages: list[StageFigures] = field(default_factory=list)
    executors: list[ExecutorFigures] = field(default_factory=list)

    @property
    def stalls(self) -> list[StageFigures]:
        """Where processes stall: the stages with most delay (finished late or overdue now),
        then most time spent by the active ones."""
        rows = [s for s in self.stages if s.delay_total or s.active_time]
        return sorted(rows, key=lambda s: (s.delay_total, s.active_time), reverse=True)


def template_analytics(template: ProcessTemplate, *, user=None, now=None) -> TemplateAnalytics:
    """Figures of one template over its processes the user sees (all without a user), in four
    aggregate queries (SQL SQLite and PostgreSQL both run: durations are differences of
    timestamps, averaged and summed by the database)."""
    now = now or timezone.now()
    result = TemplateAnalytics(template=template)
    instances = ProcessInstance.objects.filter(template=template)
    if user is not None:
        instances = ProcessInstance.objects.restrict(user).filter(template=template)
    for status, n in instances.values("status").annotate(n=Count("pk")).values_list("status", "n"):
        setattr(result, status, n)
    running = Q(instance__status=ProcessStatus.RUNNING)
    stages = ProcessStage.objects.filter(instance__template=template)
    if user is not None and not user.sees_everything:
        stages = stages.filter(instance__in=instances.values("pk"))
    done = stages.filter(
        status=StageStatus.DONE, started_at__isnull=False, finished_at__isnull=False
    )
    moment = Value(now, output_field=DateTimeField())
    delay = Case(
        When(
            status=StageStatus.DONE,
            finished_at__gt=F("planned_end"),
            then=_duration("finished_at", "planned_end"),
        ),
        When(
            running & Q(status=StageStatus.ACTIVE, planned_end__lt=now),
            then=ExpressionWrapper(moment - F("planned_end"), output_field=DurationField()),
        ),
        default=Value(datetime.timedelta(0)),
        output_field=DurationField(),
    )
    active_time = Case(
        When(
            running & Q(status=StageStatus.ACTIVE, started_at__isnull=False),
            then=ExpressionWrapper(moment - F("started_at"), output_field=DurationField()),
        ),
        default=Value(datetime.timedelta(0)),
        output_field=DurationField(),
    )
    per_stage = {
        row["template_stage_id"]: row
        for row in done.values("template_stage_id").annotate(
            done=Count("pk"),
            average=Avg(_duration("finished_at", "started_at")),
            slowest=Max(_duration("finished_at", "started_at")),
        )
    }
    per_stage_state = {
        row["template_stage_id"]: row
        for row in stages.values("template_stage_id").annotate(
            active=Count("pk", filter=running & Q(status=StageStatus.ACTIVE)),
            overdue=Count("pk", filter=running & Q(status=StageStatus.ACTIVE, planned_end__lt=now)),
            skipped=Count("pk", filter=Q(status=StageStatus.SKIPPED)),
            late=Count("pk", filter=Q(status=StageStatus.DONE, finished_at__gt=F("planned_end"))),
            delay_total=Sum(delay),
            active_time=Sum(active_time),
        )
    }
    names = {s.pk: s for s in template.stages.order_by("position", "pk")}
    for key in list(names) + sorted(
        (k for k in set(per_stage) | set(per_stage_state) if k not in names),
        key=lambda k: (k is None, k or 0),
    ):
        figures = per_stage.get(key, {})
        state = per_stage_state.get(key, {})
        template_stage = names.get(key)
        result.stages.append(
            StageFigures(
                template_stage_id=key,
                name=template_stage.name if template_stage else "",
                position=template_stage.position if template_stage else 10_000,
                done=figures.get("done", 0),
                average=figures.get("average"),
                slowest=figures.get("slowest"),
                active=state.get("active", 0),
                overdue=state.get("overdue", 0),
                skipped=state.get("skipped", 0),
                late=state.get("late", 0),
                delay_total=state.get("delay_total") or datetime.timedelta(0),
                active_time=state.get("active_time") or datetime.timedelta(0),
            )
        )
    # Per executor: the person named on the stage, or whoever took it from the queue and did it.
    per_executor = list(
        done.annotate(who=Coalesce("executor_user_id", "task__completed_by_id"))
        .values("who")
        .annotate(
            done=Count("pk"),
            average=Avg(_duration("finished_at", "started_at")),
            slowest=Max(_duration("finished_at", "started_at")),
        )
        .order_by("-slowest", "who")
    )
    users = User.objects.in_bulk([row["who"] for row in per_executor if row["who"]])
    result.executors = [
        ExecutorFigures(
            user=users.get(row["who"]),
            done=row["done"],
            average=row["average"],
            slowest=row["slowest"],
        )
        for row in per_executor
    ]
    return result


def analytics_templates(user) -> QuerySet:
    """The templates to choose from on the analytics page (those with processes first)."""
    return (
        ProcessTemplate.objects.restrict(user)
        .annotate(n=Count("instances"))
        .order_by("-n", "name", "pk")
    )
