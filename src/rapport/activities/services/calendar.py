"""The calendar's writes: a personal iCalendar feed address (issued, revoked, read) and a task's
due time moved by dragging it in the calendar."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.models import CalendarFeed, Task
from rapport.core import scoping
from rapport.core.errors import NotFound, ValidationError
from rapport.core.services import lock_for_change

TOKEN_BYTES = 32
# A feed read more often than this does not write its "last read" time again.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_feed_issue(*, actor) -> tuple[CalendarFeed, str]:
    """A new secret address for the actor's calendar; the one before stops working. Returns the
    feed and the token, shown once (only its hash is kept)."""
    if not scoping.user_is_active(actor):
        raise NotFound()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=actor).delete()
        feed = CalendarFeed.objects.create(user=actor, token_hash=hash_token(raw))
    return feed, raw


def calendar_feed_revoke(*, actor) -> bool:
    """Stop the actor's feed address; returns whether there was one."""
    if not scoping.user_is_active(actor):
        raise NotFound()
    deleted, _detail = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def calendar_feed_find(raw: str):
    """The user whose feed address carries ``raw``, or None (unknown, revoked, inactive user).

    The token is hashed before anything is looked up, so the time the database takes says
    nothing about the token; the stored hash is compared in constant time after."""
    if not raw or len(raw) > 200:
        return None
    wanted = hash_token(raw)
    feed = CalendarFeed._base_manager.select_related("user").filter(token_hash=wanted).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    if not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_PRECISION:
        CalendarFeed._base_manager.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def task_move_due(*, actor, task: Task, due_at) -> Task:
    """A task dragged to another time in the calendar: its due time moves there, and its
    reminder keeps its distance to it (dropped if that is now in the past)."""
    from rapport.activities.services.tasks import task_update

    if due_at is None:
        raise ValidationError({"due_at": [_("Enter the due time.")]})
    with transaction.atomic():
        task = lock_for_change(actor, task)
        if not task.is_open:
            raise ValidationError(
                {"due_at": [_("Only an open task can be moved to another time.")]}
            )
        fields = {"due_at": due_at}
        if task.remind_at and task.due_at:
            remind_at = task.remind_at + (due_at - task.due_at)
            fields["remind_at"] = remind_at if remind_at > timezone.now() else None
        return task_update(actor=actor, task=task, **fields)
