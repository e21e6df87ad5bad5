"""What companies and people share: defaults, tags, custom fields, keys, freshness."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.contacts.choices import Source
from rapport.contacts.models import Company, CustomerRecord, Person
from rapport.core.changelog import record_change, snapshot
from rapport.core.custom_fields import clean_values
from rapport.core.errors import ValidationError
from rapport.core.models import ChangeAction, Tag
from rapport.core.services import ensure_in_scope, lock_for_change

TARGETS = {Company: "contacts.company", Person: "contacts.person"}


def apply_defaults(record: CustomerRecord, actor) -> None:
    """A new record is owned by its author and curated by them unless said otherwise; what a
    user enters by hand counts as verified now, an imported row does not."""
    if record.pk is None and record.verified_at is None and record.source != Source.IMPORT:
        record.verified_at = timezone.now()
    if record.owner_id is None and getattr(actor, "pk", None):
        record.owner = actor
    if record.curator_id is None and getattr(actor, "pk", None) and not actor.sees_everything:
        record.curator = actor
    if record.team_id is None:
        if record.curator_id and record.curator.team_id:
            record.team_id = record.curator.team_id
        elif getattr(actor, "team_id", None):
            record.team_id = actor.team_id


def validate_relations(record: CustomerRecord) -> None:
    if record.curator_id and not record.curator.is_active:
        raise ValidationError({"curator": _("The curator must be an active user.")})


def clean_custom(record: CustomerRecord, raw: dict | None, *, partial: bool) -> None:
    if raw is None and partial:
        return
    record.custom = clean_values(
        TARGETS[type(record)], raw, partial=partial, existing=record.custom if partial else None
    )


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    cleaned = []
    for name in names:
        name = str(name).strip()
        if not name:
            continue
        if len(name) > 60 or "\x00" in name:
            raise ValidationError({"tags": _("A tag is at most 60 characters of text.")})
        if name not in cleaned:
            cleaned.append(name)
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    return [existing.get(n) or Tag.objects.create(name=n) for n in cleaned]


def set_tags(record: CustomerRecord, tags: Iterable[Tag | str] | None) -> None:
    if tags is None:
        return
    tags = list(tags)
    objects = [t for t in tags if isinstance(t, Tag)]
    objects += tags_from_names(t for t in tags if not isinstance(t, Tag))
    record.tags.set(objects)


def record_verified(*, actor, obj: CustomerRecord) -> CustomerRecord:
    """The user confirmed the record's data is current (X8)."""
    with transaction.atomic():
        fresh = lock_for_change(actor, obj)
        before = snapshot(fresh, ["verified_at"])
        fresh.verified_at = timezone.now()
        fresh.save(update_fields=["verified_at", "updated_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=fresh,
            before=before,
            after=snapshot(fresh, ["verified_at"]),
        )
        ensure_in_scope(actor, fresh)
    return fresh


def record_contacted(*, company_ids: Iterable[int], person_ids: Iterable[int], when) -> None:
    """Move "last contact" forward (called by the activity services in their transaction)."""
    company_ids, person_ids = list(company_ids), list(person_ids)
    if company_ids:
        Company.objects.filter(pk__in=company_ids).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=when)
        ).update(last_contacted_at=when)
    if person_ids:
        Person.objects.filter(pk__in=person_ids).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=when)
        ).update(last_contacted_at=when)
