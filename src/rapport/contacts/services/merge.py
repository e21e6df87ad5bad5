"""Merging two duplicates into one, keeping every relation, activity and change record."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from rapport.contacts.models import Company, Consent, CustomerRecord, Employment, Person
from rapport.contacts.services.companies import _normalize as normalize_company
from rapport.contacts.services.people import _prepare as prepare_person
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import ValidationError
from rapport.core.models import ChangeAction, ChangeRecord
from rapport.core.services import ensure_in_scope, lock_for_change

# Relations whose unique constraints could collide when re-pointed: drop the source's twin first.
_UNIQUE_TWINS = {
    (Employment, "company"): "person",
    (Employment, "person"): "company",
    ("contacts.PersonEmail", "person"): "email",
    ("contacts.PersonPhone", "person"): "number",
    (Consent, "person"): "channel",
}


def _fill_blanks(target: CustomerRecord, source: CustomerRecord) -> None:
    for field in target._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name in ("created_at", "updated_at"):
            continue
        if field.name == "custom":
            target.custom = {**(source.custom or {}), **(target.custom or {})}
            continue
        if getattr(target, field.attname) in (None, "") and getattr(source, field.attname) not in (
            None,
            "",
        ):
            setattr(target, field.attname, getattr(source, field.attname))
    for name in ("last_contacted_at", "verified_at"):
        a, b = getattr(target, name), getattr(source, name)
        if b and (not a or b > a):
            setattr(target, name, b)


# Relations whose rows carry an ``is_primary`` flag meant to be true for one row per record.
_ONE_PRIMARY_PER = {
    ("contacts.Employment", "person"),
    ("contacts.PersonEmail", "person"),
    ("contacts.PersonPhone", "person"),
}


def _twin_field(related, fk: str) -> str | None:
    """The field that, with ``fk``, must be unique: rows of the source that the target already
    has (e.g. the same person on the same deal) are dropped instead of moved."""
    known = _UNIQUE_TWINS.get((related, fk)) or _UNIQUE_TWINS.get((related._meta.label, fk))
    if known:
        return known
    pairs = [
        tuple(c.fields)
        for c in related._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.condition is None
    ]
    # Many-to-many link tables (e.g. a proposal's people) are unique together.
    pairs += [tuple(fields) for fields in related._meta.unique_together]
    for fields in pairs:
        if len(fields) == 2 and fk in fields:
            return next(f for f in fields if f != fk)
    return None


def _relations(model) -> list:
    """Every row pointing at a record, hidden relations (``related_name="+"``, e.g. the
    documents' customer) included: all of them must follow the kept record."""
    return [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if rel.auto_created
        and not rel.concrete
        and (rel.one_to_many or rel.one_to_one)
        and rel.field.concrete
    ]


def _repoint_relations(target: models.Model, source: models.Model) -> None:
    for rel in _relations(type(source)):
        related = rel.related_model
        fk = rel.field.name
        manager = related._base_manager
        if rel.one_to_one:
            # One row per record (e.g. a price group): the kept record's own row wins.
            if manager.filter(**{fk: target}).exists():
                manager.filter(**{fk: source}).delete()
            else:
                manager.filter(**{fk: source}).update(**{fk: target})
            continue
        twin_field = _twin_field(related, fk)
        has_primary = any(f.name == "is_primary" for f in related._meta.concrete_fields)
        one_primary = (related._meta.label, fk) in _ONE_PRIMARY_PER
        if twin_field:
            taken = manager.filter(**{fk: target}).values(twin_field)
            twins = manager.filter(**{fk: source, f"{twin_field}__in": taken})
            if has_primary and not one_primary:
                # A person whose main role was at the merged-away company keeps the role at the
                # kept company as their main one.
                main = list(twins.filter(is_primary=True).values_list(twin_field, flat=True))
                manager.filter(**{fk: target, f"{twin_field}__in": main}).update(is_primary=True)
            twins.delete()
        moved = manager.filter(**{fk: source})
        if one_primary and manager.filter(**{fk: target, "is_primary": True}).exists():
            # The kept person's main e-mail, phone and company stay the main ones.
            moved.update(is_primary=False)
        moved.update(**{fk: target})


def _repoint_history(target: models.Model, source: models.Model) -> None:
    ct = ContentType.objects.get_for_model(type(source))
    ChangeRecord.objects.filter(content_type=ct, object_id=source.pk).update(object_id=target.pk)
    ChangeRecord.objects.filter(parent_content_type=ct, parent_object_id=source.pk).update(
        parent_object_id=target.pk
    )


def _merge(*, actor, target: CustomerRecord, source: CustomerRecord, refresh) -> CustomerRecord:
    if type(target) is not type(source) or target.pk == source.pk:
        raise ValidationError(_("Choose two different records of the same kind to merge."))
    with transaction.atomic():
        target = lock_for_change(actor, target)
        source = lock_for_change(actor, source)
        before = {"kept": snapshot(target), "merged": snapshot(source)}
        _fill_blanks(target, source)
        tags = set(target.tags.all()) | set(source.tags.all())
        _repoint_relations(target, source)
        _repoint_history(target, source)
        source_repr, source_pk = str(source), source.pk
        source.delete()
        refresh(target)
        target.save()
        target.tags.set(tags)
        record_change(
            actor=actor,
            action=ChangeAction.MERGE,
            obj=target,
            before=before,
            after={**snapshot(target), "merged_from": f"{source_repr} (#{source_pk})"},
        )
        ensure_in_scope(actor, target)
        events.emit(f"{target._meta.model_name}.merged", id=target.pk, merged_id=source_pk)
    return target


def company_merge(*, actor, target: Company, source: Company) -> Company:
    return _merge(actor=actor, target=target, source=source, refresh=normalize_company)


def _refresh_person(person: Person) -> None:
    emails = list(person.emails.order_by("-is_primary", "pk").values_list("email", flat=True))
    phones = list(person.phones.order_by("-is_primary", "pk").values_list("number", flat=True))
    prepare_person(person, emails, phones)
    if person.employments.exists() and not person.employments.filter(is_primary=True).exists():
        first = person.employments.order_by("pk").first()
        Employment.objects.filter(pk=first.pk).update(is_primary=True)


def person_merge(*, actor, target: Person, source: Person) -> Person:
    return _merge(actor=actor, target=target, source=source, refresh=_refresh_person)
