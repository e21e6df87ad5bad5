"""Background tasks of the core app."""

from __future__ import annotations

from django.core.mail import mailers
from django.tasks import task

from rapport.core import jobs  # noqa: F401  (declares the periodic reaper for the scheduler)
from rapport.core.schedule import every


@task()
def resend_outbox_message(message_id: int) -> str:
    """Retry an e-mail the SMTP server did not take (idempotent: a sent message is left alone)."""
    from rapport.core.mail import SmtpOutboxBackend
    from rapport.core.models import OutboxMessage

    row = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if row is None:
        return "skipped"
    backend = mailers.default
    if not isinstance(backend, SmtpOutboxBackend):
        return "no smtp"
    return "sent" if backend.resend(row) else "failed"


@every(seconds=300)
@task()
def send_stale_emails() -> int:
    """E-mails a stopped worker left unsent (notifications and kept outbox messages)."""
    from rapport.core.notifications import send_stale_emails as send

    return send()
