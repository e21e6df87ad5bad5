"""Bulk actions on many records at once, each change logged."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rapport.contacts.models import CustomerRecord
from rapport.contacts.services.records import tags_from_names
from rapport.core import scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import OutOfScope
from rapport.core.models import ChangeAction
from rapport.core.services import require_writer


def bulk_assign_curator(*, actor, model: type[CustomerRecord], ids, curator) -> int:
    """Give the records a new curator (and the curator's team); all or nothing."""
    require_writer(actor)
    now = timezone.now()
    with transaction.atomic():
        records = list(
            model.objects.restrict(actor, scoping.CHANGE)
            # Lock the records only: PostgreSQL cannot lock the nullable side of the joins.
            .select_for_update(of=("self",))
            .filter(pk__in=list(ids))
            .select_related("curator", "team")
        )
        for record in records:
            before = snapshot(record, ["curator", "team"])
            record.curator = curator
            record.updated_at = now
            if curator.team_id:
                record.team_id = curator.team_id
            after = snapshot(record, ["curator", "team"])
            record_change(
                actor=actor, action=ChangeAction.UPDATE, obj=record, before=before, after=after
            )
        model.objects.bulk_update(records, ["curator", "team", "updated_at"])
        visible = model.objects.restrict(actor, scoping.CHANGE).filter(
            pk__in=[r.pk for r in records]
        )
        if visible.count() != len(records):
            raise OutOfScope()
    return len(records)


def bulk_add_tag(*, actor, model: type[CustomerRecord], ids, tag_name: str) -> int:
    """Tag the records the actor may change; the tag is created only if something gets it."""
    require_writer(actor)
    with transaction.atomic():
        records = list(model.objects.restrict(actor, scoping.CHANGE).filter(pk__in=list(ids)))
        if not records:
            return 0
        tag = tags_from_names([tag_name])[0]
        through = model.tags.through
        field = f"{model._meta.model_name}_id"
        have = set(
            through.objects.filter(
                tag=tag, **{f"{field}__in": [r.pk for r in records]}
            ).values_list(field, flat=True)
        )
        new = [r for r in records if r.pk not in have]
        through.objects.bulk_create([through(tag=tag, **{field: r.pk}) for r in new])
        for record in new:
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                obj=record,
                before={"tags": None},
                after={"tags": f"+ {tag.name}"},
            )
    return len(new)
