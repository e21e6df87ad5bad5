"""Writing and reading the change log. Services call ``record_change`` (or, for many changes at
once, ``change_row`` and ``record_changes``); nothing else writes it."""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from rapport.core.context import current_request_id
from rapport.core.models import ChangeAction, ChangeRecord


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_value(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-ready picture of the tracked fields of ``obj`` (foreign keys by their label)."""
    names = fields or getattr(obj, "tracked_fields", None)
    if names is None:
        names = [
            f.name for f in obj._meta.concrete_fields if f.name not in ("created_at", "updated_at")
        ]
    data: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(str(v) for v in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            data[name] = str(getattr(obj, name)) if getattr(obj, field.attname) else None
        else:
            data[name] = _json_value(getattr(obj, name))
    return data


def record_change(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    parent: models.Model | None = None,
) -> ChangeRecord | None:
    row = change_row(actor=actor, action=action, obj=obj, before=before, after=after, parent=parent)
    if row is not None:
        row.save(force_insert=True)
    return row


def record_changes(rows: Iterable[ChangeRecord | None]) -> list[ChangeRecord]:
    """Write many changes at once (one INSERT per thousand): rows made by ``change_row``."""
    return ChangeRecord.objects.bulk_create([row for row in rows if row is not None], 1000)


def change_row(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    parent: models.Model | None = None,
) -> ChangeRecord | None:
    """The change record ``record_change`` writes, unsaved (None: an update that changed
    nothing); ``record_changes`` writes many of them at once."""
    if action == ChangeAction.UPDATE and before == after:
        return None
    return ChangeRecord(
        actor=actor if getattr(actor, "pk", None) else None,
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        parent_content_type=(
            ContentType.objects.get_for_model(parent, for_concrete_model=True) if parent else None
        ),
        parent_object_id=parent.pk if parent else None,
        before=before,
        after=after,
    )


def history_for(objects: Iterable[models.Model]):
    """Change records about any of ``objects`` or with one of them as parent, newest first."""
    by_model: dict[type[models.Model], list[int]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj.pk)
    return history_of(by_model)


@functools.cache
def _independent_models() -> tuple[type[models.Model], ...]:
    from django.apps import apps

    from rapport.core.scoping import OwnedScope

    return tuple(
        model
        for model in apps.get_models()
        if isinstance(getattr(model, "scope", None), OwnedScope)
    )


def parts_of(content_type_id: int) -> Q:
    """Change records of the parts of records of one type (addresses, e-mails, roles... written
    with the record as parent).

    Records with a visibility of their own (an ``OwnedScope``: companies, people) are not parts:
    their changes are shown through the record itself, never through a parent. A person created
    at a company is a change with the company as parent, and a colleague who may see the
    company but not that person must not read the person's name in its history."""
    independent = [
        ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        for model in _independent_models()
    ]
    return Q(parent_content_type_id=content_type_id) & ~Q(content_type_id__in=independent)


def history_of(ids_by_model: dict[type[models.Model], list[int]]):
    """Change records about the given ids of each model, or of their parts (see ``parts_of``)."""
    q = Q(pk__in=[])
    for model, ids in ids_by_model.items():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        q |= Q(content_type_id=ct.pk, object_id__in=ids)
        q |= parts_of(ct.pk) & Q(parent_object_id__in=ids)
    return ChangeRecord.objects.filter(q).select_related("actor", "content_type")
