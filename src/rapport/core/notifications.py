"""The notification centre: tell users something, in their own language, in the app and by e-mail.

``notify_many()`` is the one way to do it, and ``notify()`` its one-item case; reminders,
hand-offs, processes and automation rules all call them. Rows are written in the caller's
transaction (one look-up of who was told before and one INSERT per batch); e-mails go out after
the commit, claimed first so that two workers (or a retried task) never send the same
notification twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.core import mail
from rapport.core.models import Notification

Text = str | Callable[[Any], str]

# E-mails claimed and sent together (one claim and one mail connection per chunk).
EMAIL_CHUNK = 500


@dataclass(frozen=True)
class Notice:
    """One thing to tell ``users``: texts are strings or callables given the recipient (called
    with the recipient's language active); with ``key`` a user is told only once per key."""

    users: Iterable
    kind: str
    title: Text
    body: Text = ""
    url: str = ""
    key: str = ""
    email: bool = False


def _render(text: Text, user) -> str:
    """``text`` for ``user``: a lazy string, or a callable given the user (the caller has made
    the user's language active)."""
    return str(text(user) if callable(text) else text)


def notify(
    *,
    users: Iterable,
    kind: str,
    title: Text,
    body: Text = "",
    url: str = "",
    key: str = "",
    email: bool = False,
) -> list[Notification]:
    """Tell each active user in ``users``; with ``key``, a user is told only once per key.

    Returns the notifications newly made (those told before under the same key are left out)."""
    return notify_many(
        [Notice(users=users, kind=kind, title=title, body=body, url=url, key=key, email=email)]
    )


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """Tell many things at once: one query for who was told before under the notices' keys,
    one INSERT, one e-mail job after the commit. Each user reads each notice in their own
    language and is told once per key (within the batch too).

    Returns the notifications newly made (those told before under the same key are left out)."""
    wanted: list[tuple[Any, Notice, str]] = []  # (user, notice, key)
    keyed: set[tuple[int, str]] = set()
    for notice in notices:
        key = notice.key[:200]
        seen: set[int] = set()
        for user in notice.users:
            if user is None or not user.is_active or user.pk in seen:
                continue
            seen.add(user.pk)
            if key:
                if (user.pk, key) in keyed:
                    continue
                keyed.add((user.pk, key))
            wanted.append((user, notice, key))
    if keyed:
        told = _told(keyed)
        wanted = [(u, n, key) for u, n, key in wanted if not key or (u.pk, key) not in told]
    if not wanted:
        return []
    rows = _rows(wanted)
    fresh = [row for row in rows if not row.key]
    made = Notification.objects.bulk_create(fresh) if fresh else []
    keyed_rows = [row for row in rows if row.key]
    if keyed_rows:
        # Another worker may have told the same user under the same key meanwhile: its row
        # stays, ours is dropped, and the e-mail claim below sends one message either way.
        Notification.objects.bulk_create(keyed_rows, ignore_conflicts=True)
        pairs = {(row.user_id, row.key) for row in keyed_rows}
        made += [
            row
            for row in Notification.objects.filter(
                user_id__in={user_id for user_id, _key in pairs},
                key__in={key for _user_id, key in pairs},
            ).exclude(key="")  # the words of the unique index's condition: the index is used
            if (row.user_id, row.key) in pairs
        ]
    wanted_ids = [row.pk for row in made if row.email_wanted and row.emailed_at is None]
    if wanted_ids:
        transaction.on_commit(lambda: send_notification_emails(wanted_ids))
    return made


def _told(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (user id, key) pairs among ``pairs`` told before (one query)."""
    rows = (
        Notification.objects.filter(
            user_id__in={user_id for user_id, _key in pairs},
            key__in={key for _user_id, key in pairs},
        )
        .exclude(key="")
        .values_list("user_id", "key")
    )
    return {pair for pair in rows if pair in pairs}


def _rows(wanted: list[tuple[Any, Notice, str]]) -> list[Notification]:
    """The unsaved rows, each rendered in its recipient's language (one switch per language)."""
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, (user, _notice, _key) in enumerate(wanted):
        by_language[user.language or settings.LANGUAGE_CODE].append(index)
    rows: list[Notification | None] = [None] * len(wanted)
    for language, indexes in by_language.items():
        with translation.override(language):
            for index in indexes:
                user, notice, key = wanted[index]
                rows[index] = Notification(
                    user=user,
                    kind=notice.kind,
                    title=_render(notice.title, user)[:300],
                    body=_render(notice.body, user) if notice.body else "",
                    url=notice.url[:500],
                    key=key,
                    email_wanted=notice.email and bool(user.email),
                )
    return [row for row in rows if row is not None]


def _claim_emails(ids: list[int]) -> list[Notification]:
    """Mark the notifications ``ids`` still waiting for their e-mail as e-mailed and return
    them: rows another worker is claiming are skipped, so each is e-mailed by one worker."""
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(pk__in=ids, email_wanted=True, emailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .order_by("pk")
        )
        if rows:
            claimed = [row.pk for row in rows]
            Notification.objects.filter(pk__in=claimed, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
    return rows


def _message(row: Notification) -> EmailMessage:
    with translation.override(row.user.language or settings.LANGUAGE_CODE):
        parts = [row.body] if row.body else []
        if row.url:
            parts.append(settings.SITE_URL.rstrip("/") + row.url)
        parts.append(_("This message is also in your notification centre in Rapport."))
        body = "\n\n".join(parts)
    return EmailMessage(row.title[:200], body, None, [row.user.email])


def send_notification_emails(ids: list[int]) -> int:
    """E-mail the notifications ``ids`` that are still waiting; each is claimed before it is
    sent, so a second caller finds nothing left to send. A chunk of ``EMAIL_CHUNK`` is claimed
    and its messages kept in the outbox in one transaction, then delivered through one mail
    connection: a worker that stops in between leaves either unclaimed notifications or kept,
    untried messages, and ``send_stale_emails`` sends both later — nothing is lost."""
    sent = 0
    ids = sorted(set(ids))
    backend = mailers.default
    for start in range(0, len(ids), EMAIL_CHUNK):
        with transaction.atomic():
            rows = [r for r in _claim_emails(ids[start : start + EMAIL_CHUNK]) if r.user.email]
            kept = mail.store_messages([_message(row) for row in rows])
        sent += mail.deliver_stored(backend, kept)
    return sent


STALE_AFTER = datetime.timedelta(minutes=15)


def send_stale_emails(now=None) -> int:
    """E-mails a stopped worker left behind: notifications still waiting for theirs, and
    outbox messages kept but never tried (older than ``STALE_AFTER``, so a batch still on its
    way is not sent twice). Returns how many were sent."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    waiting = list(
        Notification.objects.filter(
            email_wanted=True, emailed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[: EMAIL_CHUNK * 10]
    )
    sent = send_notification_emails(waiting) if waiting else 0
    return sent + mail.deliver_stale(mailers.default, cutoff)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when ``ids`` is None). Anyone, a
    read-only auditor too, may mark their own notifications read."""
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
