"""Running processes: start one on a record, move it stage by stage as the stages' tasks are
done, skip a stage (with a reason), change the schedule, cancel.

Each stage's task is made and moved through ``activities.services.tasks``, on behalf of the
process's *agent*: its controller, or whoever started it when the controller may not see the
record. The change log entries have the record as parent, so they show on the record's card.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rapport.activities.choices import OPEN_TASK_STATUSES, TaskStatus
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create, task_set_status, task_update
from rapport.core import events, records, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction, NotificationKind
from rapport.core.notifications import notify
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer
from rapport.processes.choices import ProcessStatus, StageStatus
from rapport.processes.models import ProcessInstance, ProcessStage, ProcessTemplate
from rapport.processes.services.executors import (
    check_executor,
    department_members,
    resolve_executor,
)

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = ("planned_start", "planned_end", "executor_user", "executor_department")


def _when(value: datetime.datetime) -> str:
    """A time in the site's time zone and the active language's format."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def record_of(instance: ProcessInstance):
    """The record the process runs on (None if it was deleted)."""
    key = (instance.content_type_id, instance.object_id)
    return records.records_by_key([key]).get(key)


def _label(instance: ProcessInstance) -> str:
    content_type = ContentType.objects.get_for_id(instance.content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _sees(user, record) -> bool:
    return type(record).objects.restrict(user).filter(pk=record.pk).exists()


def process_agent(instance: ProcessInstance, record):
    """Who makes and moves the stages' tasks: the controller, else whoever started it (each
    must still be able to write and to see the record)."""
    for user in (instance.controller, instance.started_by):
        if user is not None and scoping.may_write(user) and record is not None:
            if _sees(user, record):
                return user
    return None


def _log(actor, obj, before, parent, action=ChangeAction.UPDATE) -> None:
    record_change(
        actor=actor, action=action, obj=obj, before=before, after=snapshot(obj), parent=parent
    )


def _executors(stage: ProcessStage) -> list:
    if stage.executor_user_id:
        return [stage.executor_user]
    if stage.executor_department_id:
        return department_members(stage.executor_department_id)
    return []


def _task_description(stage: ProcessStage, language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        parts = [_("A stage of the process “%(process)s”.") % {"process": stage.instance.name}]
        if stage.documents:
            parts.append(
                _("Documents needed: %(documents)s.") % {"documents": ", ".join(stage.documents)}
            )
        return "\n".join(parts)


def _make_task(instance: ProcessInstance, stage: ProcessStage, record, *, now) -> Task:
    """The stage's task, made on behalf of the process's agent, due at the planned end."""
    agent = process_agent(instance, record)
    if agent is None:
        raise DomainError(
            _(
                "Neither the controller nor whoever started the process may see its record; "
                "the stage “%(stage)s” cannot be given to anyone."
            )
            % {"stage": stage.name},
            code="no_agent",
        )
    language = getattr(stage.executor_user, "language", "") if stage.executor_user_id else ""
    return task_create(
        actor=agent,
        title=f"{stage.name} · {instance.name}"[:200],
        assignee=stage.executor_user if stage.executor_user_id else None,
        department=stage.executor_department if not stage.executor_user_id else None,
        record=record,
        checklist=list(stage.checklist or []),
        description=_task_description(stage, language),
        due_at=stage.planned_end,
        # Only a schedule already late plans a due time in the past.
        allow_past_due=stage.planned_end < now,
    )


def _tell_executors(instance: ProcessInstance, stage: ProcessStage, record) -> None:
    """Remind the stage's executor (a person, or the members of its department's queue) that
    it is their turn; once per stage and executor."""
    process_name, stage_name, due = instance.name, stage.name, stage.planned_end
    notify(
        users=_executors(stage),
        kind=NotificationKind.PROCESS,
        title=lambda user: (
            _("Your turn in “%(process)s”: %(stage)s")
            % {"process": process_name, "stage": stage_name}
        ),
        body=lambda user: _("%(record)s. Due %(due)s.") % {"record": record, "due": _when(due)},
        url=instance.get_absolute_url(),
        key=f"process.stage.{stage.pk}.turn.{stage.executor_user_id or ''}."
        f"{stage.executor_department_id or ''}",
        email=True,
    )


def _activate(
    instance: ProcessInstance, stage: ProcessStage, record, *, actor, now, strict=True
) -> None:
    """Make ``stage`` the active one: its task (due at the planned end), the executor told.

    ``strict`` (starting a process): a task that cannot be made is an error and nothing is
    written. Otherwise (the process moves on after a task done elsewhere) the stage becomes
    active without a task and the controller is told why, to change its executor."""
    if strict:
        task = _make_task(instance, stage, record, now=now)
    else:
        try:
            with transaction.atomic():
                task = _make_task(instance, stage, record, now=now)
        except (ValidationError, DomainError) as exc:
            task = None
            _tell_no_task(instance, stage, exc)
    before = snapshot(stage)
    stage.status, stage.started_at, stage.task = StageStatus.ACTIVE, now, task
    stage.save(update_fields=["status", "started_at", "task", "updated_at"])
    _log(actor, stage, before, record)
    instance.current_stage, instance.current_due = stage, stage.planned_end
    instance.save(update_fields=["current_stage", "current_due", "updated_at"])
    if task is not None:
        _tell_executors(instance, stage, record)
    events.emit(
        "process.stage_reached",
        id=instance.pk,
        stage=stage.pk,
        template=instance.template_id,
        template_stage=stage.template_stage_id,
        stage_name=stage.name,
        record_type=_label(instance),
        record_id=instance.object_id,
    )


def _tell_no_task(instance: ProcessInstance, stage: ProcessStage, exc) -> None:
    reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc.message)
    process_name, stage_name = instance.name, stage.name
    logger.warning("Process %s: no task for stage %s: %s", instance.pk, stage.pk, reason)
    notify(
        users=[instance.controller] if instance.controller_id else [],
        kind=NotificationKind.PROCESS,
        title=lambda user: (
            _("Nobody was given “%(stage)s” in “%(process)s”")
            % {"stage": stage_name, "process": process_name}
        ),
        body=reason,
        url=instance.get_absolute_url(),
        key=f"process.stage.{stage.pk}.no_task",
        email=True,
    )


def _complete(instance: ProcessInstance, record, *, actor, now) -> None:
    before = snapshot(instance)
    instance.status, instance.finished_at = ProcessStatus.COMPLETED, now
    instance.current_stage, instance.current_due = None, None
    instance.save()
    _log(actor, instance, before, record)
    name = instance.name
    notify(
        users=[instance.controller] if instance.controller_id else [],
        kind=NotificationKind.PROCESS,
        title=lambda user: _("The process “%(process)s” is complete") % {"process": name},
        body=lambda user: str(record or ""),
        url=instance.get_absolute_url(),
        key=f"process.{instance.pk}.completed",
    )
    events.emit("process.completed", id=instance.pk, template=instance.template_id)


def _move_on(instance: ProcessInstance, record, *, actor, now) -> None:
    """Activate the next pending stage, or complete the process when none is left."""
    following = (
        instance.stages.filter(status=StageStatus.PENDING)
        .select_related("executor_user", "executor_department")
        .order_by("position", "pk")
        .first()
    )
    if following is None:
        _complete(instance, record, actor=actor, now=now)
    else:
        following.instance = instance
        _activate(instance, following, record, actor=actor, now=now, strict=False)


def _plan(template: ProcessTemplate, *, start, anchor, overrides: dict[int, dict]) -> list[dict]:
    """Each stage's executor and exact dates: one after the other from ``start``, by the
    template's durations, unless ``overrides`` (by position) says otherwise."""
    plan, cursor = [], start
    stages = template.stages.select_related("executor_user", "executor_department")
    for position, stage in enumerate(stages.order_by("position", "pk")):
        override = overrides.get(position, {})
        if "executor_user" in override or "executor_department" in override:
            user = override.get("executor_user")
            department = override.get("executor_department")
            check_executor(user=user, department=department, stage_name=stage.name)
        else:
            user, department = resolve_executor(stage, anchor=anchor)
        planned_start = override.get("planned_start") or cursor
        planned_end = override.get("planned_end") or planned_start + stage.duration
        if planned_end <= planned_start:
            raise ValidationError(
                {
                    "planned_end": _("“%(stage)s”: the planned end must come after its start.")
                    % {"stage": stage.name}
                }
            )
        plan.append(
            {
                "template_stage": stage,
                "position": position,
                "name": stage.name,
                "executor_role": stage.executor_role,
                "executor_user": user,
                "executor_department": department,
                "planned_start": planned_start,
                "planned_end": planned_end,
                "checklist": list(stage.checklist or []),
                "documents": list(stage.documents or []),
                "is_skippable": stage.is_skippable,
            }
        )
        cursor = planned_end
    return plan


def process_start(
    *,
    actor,
    template: ProcessTemplate,
    record,
    controller=None,
    start_at: datetime.datetime | None = None,
    stages: list[dict[str, Any]] | None = None,
) -> ProcessInstance:
    """Start ``template`` on ``record`` (which ``actor`` must see): the stages are planned one
    after the other from ``start_at`` (now), the first one's task is made and its executor told.

    ``controller`` defaults to the template's, else the actor. ``stages`` may set, by
    ``position``, a stage's exact ``planned_start``/``planned_end`` and its ``executor_user`` or
    ``executor_department`` (a commissioning schedule agreed with the customer)."""
    require_writer(actor)
    kind = records.record_type_of(record)
    if kind is None:
        raise ValidationError(_("Processes cannot be started on this kind of record."))
    if record.pk is None or not _sees(actor, record):
        raise NotFound()
    template = ProcessTemplate.objects.filter(pk=getattr(template, "pk", None)).first()
    if template is None or not template.is_active:
        raise ValidationError({"template": _("Choose an active process template.")})
    if template.record_type != kind.label:
        raise ValidationError(
            {
                "template": _(
                    "The process “%(template)s” applies to: %(expected)s. It cannot be started "
                    "on this %(actual)s."
                )
                % {
                    "template": template.name,
                    "expected": template.record_type_name,
                    "actual": kind.verbose_name,
                }
            }
        )
    controller = controller or template.controller or actor
    if not controller.is_active:
        raise ValidationError({"controller": _("The controller is no longer active.")})
    if not template.stages.exists():
        raise ValidationError({"template": _("This process template has no stages yet.")})
    overrides = {}
    for index, row in enumerate(stages or []):
        position = row.get("position", index)
        unknown = set(row) - {"position", *SCHEDULE_FIELDS}
        if unknown:
            raise TypeError(f"Unknown stage fields: {sorted(unknown)}")
        overrides[position] = row
    now = timezone.now()
    anchor = getattr(record, "owner", None) or controller
    plan = _plan(template, start=start_at or now, anchor=anchor, overrides=overrides)
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    company_id, person_id = kind.customer_of(record)
    with transaction.atomic():
        if ProcessInstance.objects.filter(
            template=template,
            content_type=content_type,
            object_id=record.pk,
            status=ProcessStatus.RUNNING,
        ).exists():
            raise DomainError(
                _("“%(process)s” is already running on this record.") % {"process": template.name},
                code="already_running",
            )
        instance = ProcessInstance(
            template=template,
            name=template.name,
            content_type=content_type,
            object_id=record.pk,
            company_id=company_id,
            person_id=person_id,
            controller=controller,
            started_by=actor,
            started_at=now,
        )
        instance.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as exc:  # started at the same moment by someone else
            raise DomainError(
                _("“%(process)s” is already running on this record.") % {"process": template.name},
                code="already_running",
            ) from exc
        _log(actor, instance, None, record, action=ChangeAction.CREATE)
        made = []
        for row in plan:
            stage = ProcessStage(instance=instance, **row)
            stage.full_clean()
            stage.save()
            made.append(stage)
        _activate(instance, made[0], record, actor=actor, now=now)
        ensure_in_scope(actor, instance, scoping.VIEW)
        events.emit(
            "process.started",
            id=instance.pk,
            template=template.pk,
            record_type=kind.label,
            record_id=record.pk,
        )
    return instance


def process_advance(*, task_id: int) -> ProcessInstance | None:
    """The task of an active stage is done: finish the stage and activate the next one (or
    complete the process). Idempotent: a stage already moved on is left alone."""
    row = (
        ProcessStage.objects.filter(task_id=task_id, status=StageStatus.ACTIVE)
        .values("pk", "instance_id")
        .first()
    )
    if row is None:
        return None
    with transaction.atomic():
        instance = (
            ProcessInstance.objects.select_for_update(of=("self",))
            .select_related("controller", "started_by", "template")
            .filter(pk=row["instance_id"])
            .first()
        )
        stage = ProcessStage.objects.select_for_update(of=("self",)).filter(pk=row["pk"]).first()
        if instance is None or stage is None:
            return None
        if stage.status != StageStatus.ACTIVE or not instance.is_running:
            return None
        task = Task.objects.filter(pk=task_id).select_related("completed_by").first()
        if task is None or task.status != TaskStatus.DONE:
            return None
        now = timezone.now()
        record = record_of(instance)
        actor = task.completed_by
        before = snapshot(stage)
        stage.status, stage.finished_at = StageStatus.DONE, task.completed_at or now
        stage.save(update_fields=["status", "finished_at", "updated_at"])
        _log(actor, stage, before, record or instance)
        events.emit("process.stage_done", id=instance.pk, stage=stage.pk)
        _move_on(instance, record, actor=actor, now=now)
    return instance


def on_task_done(event) -> None:
    """``task.done`` (after the commit): the process whose stage it was moves on."""
    task_id = event.payload.get("id")
    if task_id is not None:
        process_advance(task_id=task_id)


def _lock(actor, stage: ProcessStage) -> tuple[ProcessInstance, ProcessStage]:
    """The stage's process locked in the actor's change scope (else 404), and the stage."""
    instance = lock_for_change(actor, stage.instance)
    locked = (
        ProcessStage.objects.select_for_update(of=("self",))
        .filter(pk=stage.pk, instance=instance)
        .first()
    )
    if locked is None:
        raise NotFound()
    locked.instance = instance
    return instance, locked


def _cancel_task(instance, stage: ProcessStage, record, actor) -> None:
    """Cancel the open task of a stage that will not be done (on behalf of the agent, who made
    it; else of the actor)."""
    if stage.task_id is None:
        return
    task = Task.objects.filter(pk=stage.task_id).first()
    if task is None or task.status not in OPEN_TASK_STATUSES:
        return
    for who in (process_agent(instance, record), actor):
        if who is None:
            continue
        try:
            task_set_status(actor=who, task=task, status=TaskStatus.CANCELLED)
            return
        except NotFound:
            continue


def stage_skip(*, actor, stage: ProcessStage, reason: str) -> ProcessStage:
    """Skip a pending or active stage; the reason is required and kept with who skipped it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for skipping this stage.")})
    with transaction.atomic():
        instance, stage = _lock(actor, stage)
        if not instance.is_running:
            raise DomainError(_("This process is not running any more."), code="not_running")
        if stage.is_finished:
            raise DomainError(
                _("The stage “%(stage)s” is already finished.") % {"stage": stage.name},
                code="finished",
            )
        if not stage.is_skippable:
            raise DomainError(
                _("The stage “%(stage)s” may not be skipped.") % {"stage": stage.name},
                code="not_skippable",
            )
        now = timezone.now()
        record = record_of(instance)
        was_active = stage.status == StageStatus.ACTIVE
        before = snapshot(stage)
        stage.status, stage.finished_at = StageStatus.SKIPPED, now
        stage.skipped_reason, stage.skipped_by = reason, actor
        stage.full_clean()
        stage.save()
        _log(actor, stage, before, record or instance)
        if instance.controller_id and instance.controller_id != actor.pk:
            process_name, stage_name, who = instance.name, stage.name, str(actor)
            notify(
                users=[instance.controller],
                kind=NotificationKind.PROCESS,
                title=lambda user: (
                    _("%(user)s skipped “%(stage)s” in “%(process)s”")
                    % {"user": who, "stage": stage_name, "process": process_name}
                ),
                body=reason,
                url=instance.get_absolute_url(),
                key=f"process.stage.{stage.pk}.skipped",
            )
        events.emit("process.stage_skipped", id=instance.pk, stage=stage.pk)
        if was_active:
            _cancel_task(instance, stage, record, actor)
            _move_on(instance, record, actor=actor, now=now)
    return stage


def stage_update(*, actor, stage: ProcessStage, **fields) -> ProcessStage:
    """Change a stage's planned dates or executor (a pending stage; of the active one, its
    planned end and executor). A finished stage, or a finished process, cannot change."""
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown stage fields: {sorted(unknown)}")
    with transaction.atomic():
        instance, stage = _lock(actor, stage)
        if not instance.is_running:
            raise DomainError(
                _("This process is not running any more; its schedule cannot change."),
                code="not_running",
            )
        if stage.is_finished:
            raise DomainError(
                _("The stage “%(stage)s” is finished; its dates and executor cannot change.")
                % {"stage": stage.name},
                code="finished",
            )
        before = snapshot(stage)
        old_end = stage.planned_end
        old_executor = (stage.executor_user_id, stage.executor_department_id)
        if (
            stage.status == StageStatus.ACTIVE
            and "planned_start" in fields
            and fields["planned_start"] != stage.planned_start
        ):
            raise ValidationError(
                {"planned_start": _("The stage has started; only its planned end can change.")}
            )
        for key in ("planned_start", "planned_end"):
            if fields.get(key) is not None:
                setattr(stage, key, fields[key])
        if "executor_user" in fields or "executor_department" in fields:
            user = fields.get("executor_user")
            department = None if user is not None else fields.get("executor_department")
            check_executor(user=user, department=department, stage_name=stage.name)
            stage.executor_user, stage.executor_department = user, department
        if stage.planned_end <= stage.planned_start:
            raise ValidationError(
                {"planned_end": _("The planned end must come after the planned start.")}
            )
        if stage.planned_end != old_end:
            stage.overdue_notified_at = None
        stage.full_clean()
        stage.save()
        record = record_of(instance)
        _log(actor, stage, before, record or instance)
        executor_changed = old_executor != (stage.executor_user_id, stage.executor_department_id)
        if stage.status == StageStatus.ACTIVE:
            _move_task(instance, stage, record, actor, executor_changed=executor_changed)
            instance.current_due = stage.planned_end
            instance.save(update_fields=["current_due", "updated_at"])
        events.emit("process.stage_updated", id=instance.pk, stage=stage.pk)
    return stage


def _move_task(instance, stage: ProcessStage, record, actor, *, executor_changed: bool) -> None:
    """The active stage's open task follows its new due time and executor."""
    task = Task.objects.filter(pk=stage.task_id).first() if stage.task_id else None
    if task is None:
        # Nobody could be given the stage when it began: with its executor or dates put
        # right, its task is made now.
        stage.task = _make_task(instance, stage, record, now=timezone.now())
        stage.save(update_fields=["task", "updated_at"])
        _tell_executors(instance, stage, record)
        return
    if task.status not in OPEN_TASK_STATUSES:
        return
    changes: dict[str, Any] = {}
    if task.due_at != stage.planned_end:
        changes["due_at"] = stage.planned_end
    if executor_changed:
        changes["assignee"] = stage.executor_user
        changes["department"] = stage.executor_department
    if changes:
        task_update(actor=process_agent(instance, record) or actor, task=task, **changes)
    if executor_changed:
        _tell_executors(instance, stage, record)


def process_cancel(*, actor, instance: ProcessInstance, reason: str = "") -> ProcessInstance:
    """Stop a running process: its active stage's task is cancelled, nothing else is done."""
    with transaction.atomic():
        instance = lock_for_change(actor, instance)
        if not instance.is_running:
            raise DomainError(_("This process is not running any more."), code="not_running")
        now = timezone.now()
        record = record_of(instance)
        active = instance.stages.filter(status=StageStatus.ACTIVE).first()
        before = snapshot(instance)
        instance.status, instance.finished_at = ProcessStatus.CANCELLED, now
        instance.cancel_reason = (reason or "").strip()
        instance.current_stage, instance.current_due = None, None
        instance.full_clean(validate_constraints=False)
        instance.save()
        _log(actor, instance, before, record)
        if active is not None:
            _cancel_task(instance, active, record, actor)
            # Nobody is to be told about delays of a cancelled process.
            if active.overdue_notified_at is None:
                active.overdue_notified_at = now
                active.save(update_fields=["overdue_notified_at", "updated_at"])
        events.emit("process.cancelled", id=instance.pk)
    return instance
