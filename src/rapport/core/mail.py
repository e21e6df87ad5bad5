"""Mail backends: every message is kept in the outbox; with SMTP configured it is also sent."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone


def _store(message) -> object:
    from rapport.core.models import OutboxMessage

    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    return OutboxMessage.objects.create(
        subject=str(message.subject)[:500],
        from_email=str(message.from_email),
        to=", ".join(message.recipients()),
        body=str(message.body),
        html_body=html,
    )


class OutboxBackend(BaseEmailBackend):
    """The embedded default: messages wait in the outbox, readable by administrators."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            _store(message)
        return len(email_messages)


class SmtpOutboxBackend(SmtpBackend):
    """SMTP delivery that records each message and its outcome in the outbox."""

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            row = _store(message)
            try:
                count = super().send_messages([message])
            except Exception as exc:
                row.error = str(exc)[:2000]
                row.save(update_fields=["error"])
                if not self.fail_silently:
                    raise
                continue
            if count:
                row.sent_at = timezone.now()
                row.save(update_fields=["sent_at"])
                sent += count
        return sent
