"""Mail backends: every message is kept in the outbox; with SMTP configured it is also sent."""

from __future__ import annotations

import email.message
import mimetypes
from email.utils import formataddr, getaddresses

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def _attachment_parts(message) -> list[tuple[str, str, bytes]]:
    """(file name, content type, bytes) of each attachment, whichever way it was attached."""
    parts = []
    for item in getattr(message, "attachments", []) or []:
        if isinstance(item, email.message.Message):  # a MIME part attached as is
            name = item.get_filename() or "attachment"
            content_type = item.get_content_type()
            content = item.get_payload(decode=True)
            if content is None:  # a multipart or message part: keep the whole part
                content_type, content = "message/rfc822", item.as_bytes()
        else:
            name, content, content_type = item
            content_type = content_type or mimetypes.guess_type(name or "")[0]
        if isinstance(content, str):
            content = content.encode()
        parts.append(
            (str(name or "attachment")[:255], content_type or DEFAULT_CONTENT_TYPE, bytes(content))
        )
    return parts


def _joined(addresses) -> str:
    return ", ".join(str(address) for address in addresses or [])


def _split(addresses: str) -> list[str]:
    # getaddresses, not a split on commas: a display name may hold a comma ("Ozols, Juris").
    return [formataddr(pair) for pair in getaddresses([addresses]) if pair[1]]


def _store(message) -> object:
    from rapport.core.models import OutboxAttachment, OutboxMessage

    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    row = OutboxMessage.objects.create(
        subject=str(message.subject)[:500],
        from_email=str(message.from_email),
        to=_joined(message.to),
        cc=_joined(message.cc),
        bcc=_joined(message.bcc),
        reply_to=_joined(message.reply_to),
        body=str(message.body),
        html_body=html,
    )
    # Kept with the message: a retry rebuilds the e-mail from these rows, not from memory.
    OutboxAttachment.objects.bulk_create(
        OutboxAttachment(
            message=row, name=name, content_type=content_type, content=content, size=len(content)
        )
        for name, content_type, content in _attachment_parts(message)
    )
    return row


def store_messages(email_messages) -> list:
    """Keep the messages in the outbox, in the caller's transaction (the first half of sending
    with :func:`deliver_stored`: what is kept with the caller's own writes cannot be lost)."""
    return [_store(message) for message in email_messages]


def deliver_stored(backend, rows) -> int:
    """Send outbox rows kept by :func:`store_messages`, after the commit that kept them; returns
    how many went out (with only the outbox, keeping them was the sending)."""
    if isinstance(backend, SmtpOutboxBackend):
        return backend.deliver_stored(rows)
    if isinstance(backend, OutboxBackend) or not rows:
        return len(rows)
    # Any other backend (a console one while developing): the outbox keeps a copy, it sends.
    prefetch_related_objects(rows, "attachments")
    return backend.send_messages([message_from_row(row) for row in rows]) or 0


def deliver_stale(backend, older_than) -> int:
    """Deliver outbox messages kept before ``older_than`` and never tried (the worker that kept
    them stopped before delivering; a retried one has an attempt, a sent one ``sent_at``), 500
    at a time. Only with SMTP: in the outbox alone, a kept message is where it belongs."""
    from rapport.core.models import OutboxMessage

    if not isinstance(backend, SmtpOutboxBackend):
        return 0
    rows = OutboxMessage.objects.filter(
        sent_at__isnull=True, attempts=0, created_at__lt=older_than
    ).order_by("created_at", "pk")[:500]
    return backend.deliver_stored(list(rows))


class OutboxBackend(BaseEmailBackend):
    """The embedded default: messages wait in the outbox, readable by administrators."""

    def send_messages(self, email_messages) -> int:
        # One commit for a batch (notification e-mails come 500 at a time), not one per message.
        with transaction.atomic():
            store_messages(email_messages)
        return len(email_messages)


RETRY_SECONDS = [60, 300, 1800, 7200]


class SmtpOutboxBackend(SmtpBackend):
    """SMTP delivery that records each message and its outcome in the outbox.

    A message the server does not take is kept with the error and retried later by a task, so
    the user's action (a password reset, say) succeeds and nothing is lost.
    """

    def send_messages(self, email_messages) -> int:
        # One SMTP session for the whole batch (notification e-mails come 500 at a time); a
        # server that cannot be reached now is tried again per message, each failure kept.
        try:
            opened = bool(email_messages) and self.open()
        except Exception:  # noqa: BLE001  (recorded per message below)
            opened = False
        sent = 0
        try:
            for message in email_messages:
                row = _store(message)
                if self._deliver(row, message):
                    sent += 1
        finally:
            if opened:
                self._drop_session()
        return sent

    def deliver_stored(self, rows) -> int:
        """Deliver outbox rows already kept (one SMTP session for all of them); a message the
        server does not take is retried later, like any other."""
        try:
            opened = bool(rows) and self.open()
        except Exception:  # noqa: BLE001  (recorded per message below)
            opened = False
        prefetch_related_objects(rows, "attachments")
        try:
            return sum(1 for row in rows if self.resend(row))
        finally:
            if opened:
                self._drop_session()

    def _drop_session(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001  (a session that broke: the next message opens anew)
            self.connection = None

    def _deliver(self, row, message) -> bool:
        try:
            count = super().send_messages([message])
        except Exception as exc:  # any SMTP or network failure: keep it and try again later
            count, error = 0, str(exc)[:2000] or exc.__class__.__name__
            self._drop_session()  # the next message of the batch does not reuse a broken one
        else:
            error = "" if count else "The server did not accept the message."
        if count:
            row.sent_at, row.error = timezone.now(), ""
            row.save(update_fields=["sent_at", "error"])
            return True
        row.error = error
        row.attempts += 1
        row.save(update_fields=["error", "attempts"])
        if row.attempts <= len(RETRY_SECONDS):
            import datetime

            from rapport.core.tasks import resend_outbox_message

            when = timezone.now() + datetime.timedelta(seconds=RETRY_SECONDS[row.attempts - 1])
            resend_outbox_message.using(run_after=when).enqueue(row.pk)
        return False

    def resend(self, row) -> bool:
        """Send a stored outbox message again (called by the retry task)."""
        return self._deliver(row, message_from_row(row, connection=self))


def message_from_row(row, connection=None):
    """The e-mail an outbox row keeps, rebuilt from the row and its attachments."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=_split(row.to),
        cc=_split(row.cc),
        bcc=_split(row.bcc),
        reply_to=_split(row.reply_to),
        connection=connection,
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    for attachment in sorted(row.attachments.all(), key=lambda a: a.pk):  # prefetched or not
        message.attach(attachment.name, bytes(attachment.content), attachment.content_type)
    return message
