"""Saved list filters: create and delete (each user manages their own)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rapport.core.models import SavedFilter
from rapport.core.services import lock_for_change, require_writer


def saved_filter_create(*, actor, list_name: str, name: str, query: str) -> SavedFilter:
    require_writer(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the filter a name."))
    pairs = [(k, v) for k, v in parse_qsl(query or "") if k not in ("page", "csrfmiddlewaretoken")]
    from urllib.parse import urlencode

    saved = SavedFilter(owner=actor, list_name=list_name, name=name[:100], query=urlencode(pairs))
    saved.full_clean()
    with transaction.atomic():
        saved.save()
    return saved


def saved_filter_delete(*, actor, saved: SavedFilter) -> None:
    with transaction.atomic():
        lock_for_change(actor, saved).delete()
