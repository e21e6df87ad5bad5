"""Process templates and their stages: kept by administrators and heads of department."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.processes.models import ProcessInstance, ProcessStageTemplate, ProcessTemplate

TEMPLATE_FIELDS = ("name", "description", "record_type", "controller", "is_active")
EXECUTOR_FIELDS = {"executor_role", "executor_department", "executor_user"}
STAGE_FIELDS = (
    "position",
    "name",
    "executor_role",
    "executor_department",
    "executor_user",
    "duration_value",
    "duration_unit",
    "checklist",
    "documents",
    "is_skippable",
)


def may_manage_templates(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and not user.is_read_only
        and (user.is_administrator or user.is_head_of_department)
    )


def require_template_manager(actor) -> None:
    if not may_manage_templates(actor):
        raise PermissionDenied


def _clean_name(value: str | None) -> str:
    return " ".join((value or "").split())


def _save_template(actor, template: ProcessTemplate) -> ProcessTemplate:
    created = template.pk is None
    before = None
    if not created:
        old = ProcessTemplate.objects.get(pk=template.pk)
        before = snapshot(old)
        if (
            old.record_type != template.record_type
            and ProcessInstance.objects.filter(template_id=template.pk).exists()
        ):
            raise ValidationError(
                {
                    "record_type": _(
                        "Processes of this template have been started; the kind of record it "
                        "applies to cannot change."
                    )
                }
            )
    template.name = _clean_name(template.name)
    template.full_clean()
    template.save()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        obj=template,
        before=before,
        after=snapshot(template),
    )
    events.emit(f"process_template.{'created' if created else 'updated'}", id=template.pk)
    return template


def _save_stage(actor, stage: ProcessStageTemplate) -> ProcessStageTemplate:
    created = stage.pk is None
    before = None
    if not created:
        old = ProcessStageTemplate.objects.get(pk=stage.pk)
        if old.template_id != stage.template_id:
            raise ValidationError({"template": _("A stage cannot move to another template.")})
        before = snapshot(old)
    stage.name = _clean_name(stage.name)
    stage.full_clean()
    stage.save()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        obj=stage,
        before=before,
        after=snapshot(stage),
        parent=stage.template,
    )
    return stage


def _stage_error(position: int, exc: ValidationError) -> ValidationError:
    """A stage's errors named by its place in the list (the API's nested ``stages``)."""
    return ValidationError(
        {
            "stages": [
                _("Stage %(n)d: %(error)s") % {"n": position + 1, "error": message}
                for message in exc.messages
            ]
        }
    )


def _save_stages(actor, template: ProcessTemplate, stages: list[dict[str, Any]]) -> None:
    """Make the template's stages exactly ``stages``, in that order: rows with an ``id`` of this
    template are updated, rows without one are added, the stages left out are removed."""
    existing = {s.pk: s for s in template.stages.all()}
    kept = set()
    for position, data in enumerate(stages):
        data = dict(data)
        stage_id = data.pop("id", None)
        stage = existing.get(stage_id) if stage_id else None
        if stage_id and stage is None:
            raise ValidationError(
                {
                    "stages": [
                        _("Stage %(n)d is not a stage of this template.") % {"n": position + 1}
                    ]
                }
            )
        if stage is None:
            stage = ProcessStageTemplate(template=template)
        if EXECUTOR_FIELDS & set(data):
            # A row naming its executor names the only one: the other two are cleared.
            stage.executor_role, stage.executor_department, stage.executor_user = "", None, None
        for key in STAGE_FIELDS:
            if key in data:
                setattr(stage, key, data[key])
        stage.position = position
        try:
            _save_stage(actor, stage)
        except ValidationError as exc:
            raise _stage_error(position, exc) from exc
        kept.add(stage.pk)
    for pk, stage in existing.items():
        if pk not in kept:
            _delete_stage(actor, stage)


def _delete_stage(actor, stage: ProcessStageTemplate) -> None:
    record_change(
        actor=actor,
        action=ChangeAction.DELETE,
        obj=stage,
        before=snapshot(stage),
        parent=stage.template,
    )
    stage.delete()


def template_create(*, actor, stages: list[dict] | None = None, **fields) -> ProcessTemplate:
    """A new template, with its stages in order (each needs exactly one executor)."""
    require_template_manager(actor)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown template fields: {sorted(unknown)}")
    with transaction.atomic():
        template = _save_template(actor, ProcessTemplate(**fields))
        if stages:
            _save_stages(actor, template, stages)
    return template


def template_update(
    *, actor, template: ProcessTemplate, stages: list[dict] | None = None, **fields
) -> ProcessTemplate:
    """Change a template; given ``stages`` replace its stage list (see ``_save_stages``).
    Running processes keep the stages they were started with."""
    require_template_manager(actor)
    with transaction.atomic():
        template = ProcessTemplate.objects.select_for_update().get(pk=template.pk)
        for key, value in fields.items():
            if key not in TEMPLATE_FIELDS:
                raise TypeError(f"Unknown template field: {key}")
            setattr(template, key, value)
        template = _save_template(actor, template)
        if stages is not None:
            _save_stages(actor, template, stages)
    return template


def template_delete(*, actor, template: ProcessTemplate) -> None:
    require_template_manager(actor)
    if ProcessInstance.objects.filter(template_id=template.pk).exists():
        raise DomainError(
            _("Processes were started from this template; deactivate it instead of deleting it."),
            code="in_use",
        )
    with transaction.atomic():
        for stage in list(template.stages.all()):
            _delete_stage(actor, stage)
        record_change(
            actor=actor, action=ChangeAction.DELETE, obj=template, before=snapshot(template)
        )
        pk = template.pk
        template.delete()
        events.emit("process_template.deleted", id=pk)


def stage_template_save(*, actor, stage: ProcessStageTemplate) -> ProcessStageTemplate:
    """Add a stage (at the end unless placed) or change one."""
    require_template_manager(actor)
    with transaction.atomic():
        ProcessTemplate.objects.select_for_update().get(pk=stage.template_id)
        if stage.pk is None and stage.position is None:
            last = stage.template.stages.aggregate(m=Max("position"))["m"]
            stage.position = 0 if last is None else last + 1
        stage = _save_stage(actor, stage)
        events.emit("process_template.updated", id=stage.template_id)
    return stage


def stage_template_delete(*, actor, stage: ProcessStageTemplate) -> None:
    """Remove a stage; running processes keep their copy of it."""
    require_template_manager(actor)
    with transaction.atomic():
        _delete_stage(actor, stage)
        events.emit("process_template.updated", id=stage.template_id)


def stage_template_move(*, actor, stage: ProcessStageTemplate, up: bool) -> None:
    """Swap a stage with the one before (``up``) or after it."""
    require_template_manager(actor)
    with transaction.atomic():
        ProcessTemplate.objects.select_for_update().get(pk=stage.template_id)
        stages = list(stage.template.stages.order_by("position", "pk"))
        index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(stages):
            return
        stages[index], stages[other] = stages[other], stages[index]
        for position, row in enumerate(stages):
            if row.position != position:
                before = snapshot(row)
                row.position = position
                row.save(update_fields=["position", "updated_at"])
                record_change(
                    actor=actor,
                    action=ChangeAction.UPDATE,
                    obj=row,
                    before=before,
                    after=snapshot(row),
                    parent=row.template,
                )
        events.emit("process_template.updated", id=stage.template_id)
