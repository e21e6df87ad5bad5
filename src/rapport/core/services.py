"""Helpers every service uses: scope checks inside the write, optimistic concurrency, ETags."""

from __future__ import annotations

from django.db import models

from rapport.core import scoping
from rapport.core.errors import NotFound, OutOfScope, StaleWrite


def etag_for(obj: models.Model) -> str:
    stamp = getattr(obj, "updated_at", None)
    version = int(stamp.timestamp() * 1_000_000) if stamp else 0
    return f'"{obj.pk}-{version}"'


def require_administrator(actor) -> None:
    """Settings, users and integrations are changed by administrators only."""
    from django.core.exceptions import PermissionDenied

    if not (actor and actor.is_active and actor.is_administrator):
        raise PermissionDenied


def require_writer(actor) -> None:
    if not scoping.may_write(actor):
        raise NotFound()


def lock_for_change(actor, obj: models.Model, *, if_match: str | None = None) -> models.Model:
    """Re-read ``obj`` locked and in the actor's change scope (else 404); check the ETag."""
    require_writer(actor)
    model = type(obj)
    locked = (
        model.objects.restrict(actor, scoping.CHANGE)
        .select_for_update(of=("self",))
        .filter(pk=obj.pk)
    )
    fresh = locked.first()
    if fresh is None:
        raise NotFound()
    if if_match and if_match.strip() not in ("*", etag_for(fresh)):
        raise StaleWrite()
    return fresh


def ensure_in_scope(actor, obj: models.Model, action: str = scoping.CHANGE) -> None:
    """After writing: the saved object must still be in the actor's scope, else roll back."""
    if not type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists():
        raise OutOfScope()
