"""Deal writes: create, update, move between stages, delete; contacts, participants, competitors."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.contacts.models import Company, Person
from rapport.core import events, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer
from rapport.sales.choices import DealStatus, StageKind
from rapport.sales.models import (
    Deal,
    DealCompetitor,
    DealContact,
    DealParticipant,
    DealStageChange,
    LostReason,
    Stage,
)
from rapport.sales.services.pipelines import first_open_stage

# Fields a client may set directly; status, closed_at and stage_changed_at follow the stage.
EDITABLE = {
    "name",
    "pipeline",
    "stage",
    "company",
    "person",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "source",
    "campaign",
    "lead",
    "lost_reason",
    "lost_note",
    "description",
    "owner",
    "team",
}


def _check_fields(fields: dict) -> None:
    unknown = {name.removesuffix("_id") for name in fields} - EDITABLE
    if unknown:
        raise ValidationError(
            _("Unknown deal fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )


def _check_customer_visible(actor, deal: Deal) -> None:
    """A deal may point only at customers its author may see (else the deal would reveal them)."""
    errors = {}
    if deal.company_id and not Company.objects.restrict(actor).filter(pk=deal.company_id).exists():
        errors["company"] = _("Choose a company from the list; that one is not available.")
    if deal.person_id and not Person.objects.restrict(actor).filter(pk=deal.person_id).exists():
        errors["person"] = _("Choose a person from the list; that one is not available.")
    if errors:
        raise ValidationError(errors)


def _validate(deal: Deal) -> None:
    errors: dict[str, list[str]] = {}
    if not deal.company_id and not deal.person_id:
        errors.setdefault("company", []).append(
            _("Choose the customer: a company or a person (or both).")
        )
    if deal.stage_id and deal.pipeline_id and deal.stage.pipeline_id != deal.pipeline_id:
        errors.setdefault("stage", []).append(
            _("The stage “%(stage)s” belongs to another pipeline than “%(pipeline)s”.")
            % {"stage": deal.stage.name, "pipeline": deal.pipeline.name}
        )
    if deal.amount is not None and deal.amount < 0:
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    if deal.stage_id and deal.stage.kind == StageKind.LOST and not deal.lost_reason_id:
        errors.setdefault("lost_reason", []).append(
            _("Say why the deal was lost: choose a reason.")
        )
    if errors:
        raise ValidationError(errors)
    deal.full_clean()


def _follow_stage(deal: Deal, now) -> None:
    """Status and closing date follow the stage's kind; a reopened deal is no longer closed."""
    kind = deal.stage.kind
    deal.status = {StageKind.WON: DealStatus.WON, StageKind.LOST: DealStatus.LOST}.get(
        kind, DealStatus.OPEN
    )
    if kind == StageKind.OPEN:
        deal.closed_at = None
        deal.lost_reason = None
        deal.lost_note = ""
    elif deal.closed_at is None:
        deal.closed_at = now
    if kind == StageKind.WON:
        deal.lost_reason = None
        deal.lost_note = ""


def _record_stage_change(deal: Deal, from_stage: Stage | None, since, actor, now) -> None:
    seconds = int((now - since).total_seconds()) if from_stage is not None and since else None
    DealStageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        changed_at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        seconds_in_from_stage=max(seconds, 0) if seconds is not None else None,
    )


def deal_create(*, actor, **fields) -> Deal:
    """A new deal. Defaults: the pipeline's first open stage, the actor as owner, the owner's
    team, the pipeline's currency. Needs ``pipeline`` (or a ``stage``) and a customer."""
    require_writer(actor)
    _check_fields(fields)
    with transaction.atomic():
        deal = Deal(**fields)
        if not deal.pipeline_id and deal.stage_id:
            deal.pipeline_id = deal.stage.pipeline_id
        if not deal.pipeline_id:
            raise ValidationError({"pipeline": _("Choose the pipeline.")})
        if not deal.stage_id:
            stage = first_open_stage(deal.pipeline)
            if stage is None:
                raise ValidationError({"pipeline": _("This pipeline has no open stage yet.")})
            deal.stage = stage
        if deal.owner_id is None and getattr(actor, "pk", None):
            deal.owner = actor
        if deal.team_id is None and deal.owner_id and deal.owner.team_id:
            deal.team_id = deal.owner.team_id
        if "currency" not in fields:
            deal.currency = deal.pipeline.currency
        now = timezone.now()
        deal.stage_changed_at = now
        _follow_stage(deal, now)
        if deal.stage.kind == StageKind.LOST and "lost_reason" in fields:
            deal.lost_reason = fields["lost_reason"]
            deal.lost_note = fields.get("lost_note", "")
        deal.name = (deal.name or "").strip()
        _validate(deal)
        _check_customer_visible(actor, deal)
        deal.save()
        _record_stage_change(deal, None, None, actor, now)
        record_change(actor=actor, action=ChangeAction.CREATE, obj=deal, after=snapshot(deal))
        ensure_in_scope(actor, deal)
        events.emit("deal.created", id=deal.pk)
    return deal


def deal_update(*, actor, deal: Deal, if_match=None, **fields) -> Deal:
    """Change a deal's fields. A new stage goes through ``deal_move``'s rules."""
    _check_fields(fields)
    if "stage" in fields and fields["stage"] is None:
        del fields["stage"]  # no stage given: keep it (or the new pipeline's first one)
    if "pipeline" in fields and fields["pipeline"] is None:
        raise ValidationError({"pipeline": _("Choose the pipeline.")})
    with transaction.atomic():
        deal = lock_for_change(actor, deal, if_match=if_match)
        before = snapshot(deal)
        old_stage, since = deal.stage, deal.stage_changed_at
        for key, value in fields.items():
            setattr(deal, key, value)
        if "owner" in fields and "team" not in fields and deal.owner_id and deal.owner.team_id:
            deal.team_id = deal.owner.team_id
        if (
            "pipeline" in fields
            and "stage" not in fields
            and deal.pipeline_id != old_stage.pipeline_id
        ):
            deal.stage = first_open_stage(deal.pipeline) or deal.stage
        now = timezone.now()
        moved = deal.stage_id != old_stage.pk
        if moved:
            deal.stage_changed_at = now
        reason, note = deal.lost_reason, deal.lost_note
        _follow_stage(deal, now)
        if deal.stage.kind == StageKind.LOST:
            deal.lost_reason, deal.lost_note = reason, note
        deal.name = (deal.name or "").strip()
        _validate(deal)
        if {"company", "person"} & set(fields):
            _check_customer_visible(actor, deal)
        deal.save()
        if moved:
            _record_stage_change(deal, old_stage, since, actor, now)
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=deal, before=before, after=snapshot(deal)
        )
        ensure_in_scope(actor, deal)
        events.emit("deal.updated", id=deal.pk)
        if moved:
            events.emit("deal.moved", id=deal.pk, from_stage=old_stage.pk, to_stage=deal.stage_id)
    return deal


def deal_move(
    *,
    actor,
    deal: Deal,
    stage: Stage,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
    if_match=None,
) -> Deal:
    """Move a deal to ``stage`` of its own pipeline. Moving to a lost stage needs a reason."""
    with transaction.atomic():
        deal = lock_for_change(actor, deal, if_match=if_match)
        if stage.pipeline_id != deal.pipeline_id:
            raise ValidationError(
                {
                    "stage": _(
                        "The stage “%(stage)s” belongs to the pipeline “%(other)s”, not to "
                        "“%(pipeline)s”. A deal moves only between the stages of its pipeline."
                    )
                    % {
                        "stage": stage.name,
                        "other": stage.pipeline.name,
                        "pipeline": deal.pipeline.name,
                    }
                }
            )
        if stage.kind == StageKind.LOST and lost_reason is None:
            raise ValidationError({"lost_reason": _("Say why the deal was lost: choose a reason.")})
        if stage.pk == deal.stage_id and stage.kind != StageKind.LOST:
            return deal
        before = snapshot(deal)
        old_stage, since = deal.stage, deal.stage_changed_at
        now = timezone.now()
        deal.stage = stage
        moved = stage.pk != old_stage.pk
        if moved:
            deal.stage_changed_at = now
        _follow_stage(deal, now)
        if stage.kind == StageKind.LOST:
            deal.lost_reason = lost_reason
            deal.lost_note = (lost_note or "").strip()
        _validate(deal)
        deal.save()
        if moved:
            _record_stage_change(deal, old_stage, since, actor, now)
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=deal, before=before, after=snapshot(deal)
        )
        ensure_in_scope(actor, deal)
        events.emit("deal.moved", id=deal.pk, from_stage=old_stage.pk, to_stage=stage.pk)
        if deal.status != DealStatus.OPEN and before["status"] != deal.status:
            events.emit(f"deal.{deal.status}", id=deal.pk)
    return deal


def deal_delete(*, actor, deal: Deal, if_match=None) -> None:
    with transaction.atomic():
        deal = lock_for_change(actor, deal, if_match=if_match)
        if not Deal.objects.restrict(actor, scoping.DELETE).filter(pk=deal.pk).exists():
            raise NotFound()
        record_change(actor=actor, action=ChangeAction.DELETE, obj=deal, before=snapshot(deal))
        pk = deal.pk
        deal.delete()
        events.emit("deal.deleted", id=pk)


# The people and companies around a deal ------------------------------------------------------
def _part_added(actor, deal: Deal, part, event: str):
    try:
        with transaction.atomic():
            part.full_clean(exclude=["deal"], validate_unique=False)
            part.save()
    except IntegrityError as exc:
        raise ValidationError(_("%(name)s is already on this deal.") % {"name": part}) from exc
    record_change(
        actor=actor, action=ChangeAction.CREATE, obj=part, after=snapshot(part), parent=deal
    )
    events.emit(f"deal.{event}_added", id=deal.pk, part=part.pk)
    return part


def _part_removed(actor, deal: Deal, model, part_id: int, event: str) -> None:
    with transaction.atomic():
        deal = lock_for_change(actor, deal)
        part = model.objects.filter(deal=deal, pk=part_id).first()
        if part is None:
            raise NotFound()
        record_change(
            actor=actor, action=ChangeAction.DELETE, obj=part, before=snapshot(part), parent=deal
        )
        part.delete()
        events.emit(f"deal.{event}_removed", id=deal.pk, part=part_id)


def deal_contact_add(*, actor, deal: Deal, person: Person, role: str = "other") -> DealContact:
    """A person on the customer's side (decision maker, user, purchasing...)."""
    with transaction.atomic():
        deal = lock_for_change(actor, deal)
        if not Person.objects.restrict(actor).filter(pk=person.pk).exists():
            raise ValidationError({"person": _("Choose a person from the list.")})
        return _part_added(actor, deal, DealContact(deal=deal, person=person, role=role), "contact")


def deal_contact_remove(*, actor, deal: Deal, contact_id: int) -> None:
    _part_removed(actor, deal, DealContact, contact_id, "contact")


def deal_participant_add(
    *, actor, deal: Deal, user=None, partner: Company | None = None, role: str = "sales"
) -> DealParticipant:
    """A colleague on our side, or a partner company, taking part in the deal."""
    with transaction.atomic():
        deal = lock_for_change(actor, deal)
        if user is None and partner is None:
            raise ValidationError({"user": _("Choose a colleague or a partner company.")})
        if user is not None and not user.is_active:
            raise ValidationError({"user": _("Choose an active colleague.")})
        if (
            partner is not None
            and not Company.objects.restrict(actor).filter(pk=partner.pk).exists()
        ):
            raise ValidationError({"partner": _("Choose a company from the list.")})
        duplicate = DealParticipant.objects.filter(deal=deal, user=user, partner=partner).exists()
        if duplicate:
            raise ValidationError(
                _("%(name)s is already on this deal.") % {"name": user or partner}
            )
        return _part_added(
            actor,
            deal,
            DealParticipant(deal=deal, user=user, partner=partner, role=role),
            "participant",
        )


def deal_participant_remove(*, actor, deal: Deal, participant_id: int) -> None:
    _part_removed(actor, deal, DealParticipant, participant_id, "participant")


def deal_competitor_add(*, actor, deal: Deal, company: Company, note: str = "") -> DealCompetitor:
    """A competitor company taking part in the deal (D7)."""
    with transaction.atomic():
        deal = lock_for_change(actor, deal)
        if not Company.objects.restrict(actor).filter(pk=company.pk).exists():
            raise ValidationError({"company": _("Choose a company from the list.")})
        return _part_added(
            actor, deal, DealCompetitor(deal=deal, company=company, note=note), "competitor"
        )


def deal_competitor_remove(*, actor, deal: Deal, competitor_id: int) -> None:
    _part_removed(actor, deal, DealCompetitor, competitor_id, "competitor")
