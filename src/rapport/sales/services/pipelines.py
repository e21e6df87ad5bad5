"""Pipeline, stage and lost-reason writes (reference data: administrators only)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.configuration import reference_delete, reference_save
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import require_administrator
from rapport.sales.choices import StageKind
from rapport.sales.models import Deal, LostReason, Pipeline, Stage


def _save(actor, obj, event: str, parent=None):
    return reference_save(actor=actor, obj=obj, event=event, parent=parent)


def _delete(actor, obj, event: str, parent=None) -> None:
    reference_delete(
        actor=actor,
        obj=obj,
        event=event,
        parent=parent,
        in_use_message=_("%(name)s is still used by deals; it cannot be deleted."),
    )


def pipeline_save(*, actor, pipeline: Pipeline) -> Pipeline:
    """Create or update a pipeline (its stages are saved separately)."""
    pipeline.name = (pipeline.name or "").strip()
    return _save(actor, pipeline, "pipeline")


def pipeline_create_with_stages(*, actor, stages: list[dict], **fields) -> Pipeline:
    """A pipeline with its stages in one go (demo data, tests, the API)."""
    with transaction.atomic():
        pipeline = pipeline_save(actor=actor, pipeline=Pipeline(**fields))
        for position, data in enumerate(stages):
            stage_save(
                actor=actor,
                stage=Stage(pipeline=pipeline, position=data.pop("position", position), **data),
            )
    return pipeline


def pipeline_delete(*, actor, pipeline: Pipeline) -> None:
    if Deal.objects.filter(pipeline=pipeline).exists():
        raise DomainError(
            _("This pipeline has deals; deactivate it instead of deleting it."), code="in_use"
        )
    with transaction.atomic():
        for stage in list(pipeline.stages.all()):
            _delete(actor, stage, "stage", parent=pipeline)
        _delete(actor, pipeline, "pipeline")


def stage_save(*, actor, stage: Stage) -> Stage:
    stage.name = (stage.name or "").strip()
    if stage.pk:
        old = Stage.objects.filter(pk=stage.pk).values_list("pipeline_id", "kind").first()
        if old and old[0] != stage.pipeline_id:
            raise ValidationError({"pipeline": _("A stage cannot move to another pipeline.")})
        # Deals follow their stage's kind: changing it under them would leave statuses wrong.
        if old and old[1] != stage.kind and Deal.objects.filter(stage_id=stage.pk).exists():
            raise ValidationError(
                {"kind": _("This stage has deals; its kind (open, won, lost) cannot change.")}
            )
    return _save(actor, stage, "stage", parent=stage.pipeline)


def stage_delete(*, actor, stage: Stage) -> None:
    if Deal.objects.filter(stage=stage).exists():
        raise DomainError(
            _("Deals are in the stage “%(name)s”; move them first.") % {"name": stage.name},
            code="in_use",
        )
    _delete(actor, stage, "stage", parent=stage.pipeline)


def stage_reorder(*, actor, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    """Set the order of a pipeline's stages: ``stage_ids`` must name each of them exactly once."""
    require_administrator(actor)
    with transaction.atomic():
        stages = {s.pk: s for s in Stage.objects.select_for_update().filter(pipeline=pipeline)}
        if sorted(stage_ids) != sorted(stages):
            raise ValidationError(
                {"stages": _("Give every stage of this pipeline exactly once, in the new order.")}
            )
        for position, pk in enumerate(stage_ids):
            stage = stages[pk]
            if stage.position != position:
                before = snapshot(stage)
                stage.position = position
                stage.save(update_fields=["position", "updated_at"])
                record_change(
                    actor=actor,
                    action=ChangeAction.UPDATE,
                    obj=stage,
                    before=before,
                    after=snapshot(stage),
                    parent=pipeline,
                )
        events.emit("pipeline.updated", id=pipeline.pk)
    return [stages[pk] for pk in stage_ids]


def first_open_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "pk").first()


def lost_reason_save(*, actor, reason: LostReason) -> LostReason:
    reason.name = (reason.name or "").strip()
    return _save(actor, reason, "lost_reason")


def lost_reason_delete(*, actor, reason: LostReason) -> None:
    _delete(actor, reason, "lost_reason")
