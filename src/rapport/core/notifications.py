"""The notification centre: tell users something, in their own language, in the app and by e-mail.

``notify()`` is the one way to do it; reminders, hand-offs, processes and automation rules all call
it. Rows are written in the caller's transaction; e-mails go out after the commit, each claimed
first so that two workers (or a retried task) never send the same notification twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.core.models import Notification

Text = str | Callable[[Any], str]


def _render(text: Text, user) -> str:
    """``text`` in ``user``'s language: a lazy string, or a callable given the user."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
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
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return []
    if key:
        told = set(
            Notification.objects.filter(user_id__in=recipients, key=key).values_list(
                "user_id", flat=True
            )
        )
        recipients = {pk: user for pk, user in recipients.items() if pk not in told}
    if not recipients:
        return []
    rows = [
        Notification(
            user=user,
            kind=kind,
            title=_render(title, user)[:300],
            body=_render(body, user) if body else "",
            url=url[:500],
            key=key[:200],
            email_wanted=email and bool(user.email),
        )
        for user in recipients.values()
    ]
    if key:
        # Another worker may have told the same user under the same key meanwhile: its row
        # stays, ours is dropped, and the e-mail claim below sends one message either way.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        made = list(Notification.objects.filter(user_id__in=recipients, key=key[:200]))
    else:
        made = Notification.objects.bulk_create(rows)
    wanted = [row.pk for row in made if row.email_wanted and row.pk]
    if wanted:
        transaction.on_commit(lambda: send_notification_emails(wanted))
    return made


def send_notification_emails(ids: list[int]) -> int:
    """E-mail the notifications ``ids`` that are still waiting; each is claimed before it is
    sent, so a second caller finds nothing left to send."""
    sent = 0
    rows = Notification.objects.filter(pk__in=ids, email_wanted=True, emailed_at__isnull=True)
    for row in rows.select_related("user").order_by("pk"):
        claimed = Notification.objects.filter(pk=row.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed or not row.user.email:
            continue
        with translation.override(row.user.language or settings.LANGUAGE_CODE):
            parts = [row.body] if row.body else []
            if row.url:
                parts.append(settings.SITE_URL.rstrip("/") + row.url)
            parts.append(_("This message is also in your notification centre in Rapport."))
            body = "\n\n".join(parts)
        send_mail(row.title[:200], body, None, [row.user.email])
        sent += 1
    return sent


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when ``ids`` is None). Anyone, a
    read-only auditor too, may mark their own notifications read."""
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
