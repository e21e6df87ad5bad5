"""Outgoing e-mail: kept in the outbox, sent over real SMTP, retried when the server is down."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.core.models import OutboxMessage


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port


def test_without_smtp_messages_wait_in_the_outbox(db, settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    send_mail("Привет", "Текст письма", None, ["ivan@example.com"])
    row = OutboxMessage.objects.get()
    assert (row.subject, row.to, row.sent_at) == ("Привет", "ivan@example.com", None)


def test_smtp_down_keeps_the_message_and_retries_until_sent(db, smtp_settings, run_tasks):
    # The server is not running: the sender is not troubled, the message is kept with the error.
    assert send_mail("Reset your password", "Link", None, ["anna@example.com"]) == 0
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.attempts == 1 and row.error
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_tasks()
    finally:
        controller.stop()
    row.refresh_from_db()
    assert row.sent_at is not None and row.error == ""
    assert [m.rcpt_tos for m in inbox.messages] == [["anna@example.com"]]
    assert b"Reset your password" in inbox.messages[0].content


def test_smtp_up_sends_at_once(db, smtp_settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        assert send_mail("Hello", "Body", None, ["olga@example.com"]) == 1
    finally:
        controller.stop()
    assert OutboxMessage.objects.get().sent_at is not None
    assert len(inbox.messages) == 1


# Attachments are kept with the message: a retry sends them again, byte for byte.
PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def received_attachments(envelope) -> dict[str, tuple[str, bytes]]:
    import email
    import email.policy

    parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in parsed.iter_attachments()
    }


def test_a_retry_after_an_smtp_failure_sends_the_attachments(db, smtp_settings, run_tasks):
    from django.core.mail import EmailMessage

    from rapport.core.models import OutboxAttachment

    message = EmailMessage(
        "Offer Q-7", "Please find our offer attached.", None, ["ivo@example.com"]
    )
    message.attach("offer Q-7.pdf", PDF_BYTES, "application/pdf")
    message.attach("notes.txt", "Цены без НДС", "text/plain")
    assert message.send() == 0  # nothing listens on the port
    row = OutboxMessage.objects.get()
    kept = list(row.attachments.values_list("name", "content_type", "size"))
    assert kept == [
        ("offer Q-7.pdf", "application/pdf", len(PDF_BYTES)),
        ("notes.txt", "text/plain", len("Цены без НДС".encode())),
    ]

    # The first retry fails too: the attachments stay, nothing is duplicated.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks()
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 2
    assert OutboxAttachment.objects.count() == 2

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()
    finally:
        controller.stop()
    row.refresh_from_db()
    assert row.sent_at is not None and row.error == ""
    assert len(inbox.messages) == 1
    attachments = received_attachments(inbox.messages[0])
    assert attachments["offer Q-7.pdf"] == ("application/pdf", PDF_BYTES)
    kind, text = attachments["notes.txt"]  # a text part ends with a line break on the wire
    assert (kind, text.rstrip(b"\r\n")) == ("text/plain", "Цены без НДС".encode())


def test_the_outbox_page_names_the_attachments(world, client, settings):
    from django.core.mail import EmailMessage
    from django.urls import reverse

    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    message = EmailMessage("Offer Q-8", "Attached.", None, ["ivo@example.com"])
    message.attach("Q-8.pdf", PDF_BYTES, "application/pdf")
    message.send()
    EmailMessage("No files", "Plain.", None, ["ivo@example.com"]).send()
    row = OutboxMessage.objects.get(subject="Offer Q-8")
    client.force_login(world.users["admin"])
    page = client.get(reverse("web:outbox"), {"message": row.pk}).content.decode()
    assert page.count("Q-8.pdf") == 2  # in the list and on the open message
    assert "Attachments" in page and "10.0\xa0KB" in page
    plain = OutboxMessage.objects.get(subject="No files")
    page = client.get(reverse("web:outbox"), {"message": plain.pk}).content.decode()
    assert "Attachments" not in page and page.count("Q-8.pdf") == 1


def test_a_retry_keeps_copies_hidden_copies_and_the_reply_address(db, smtp_settings, run_tasks):
    from email import message_from_bytes
    from email import policy as email_policy

    from django.core.mail import EmailMessage

    message = EmailMessage(
        "Offer Q-8",
        "See the offer.",
        "sales@example.com",
        ['"Ozols, Juris" <juris@example.com>'],
        cc=["boss@example.com"],
        bcc=["archive@example.com"],
        reply_to=["anna@example.com"],
    )
    assert message.send() == 0  # nothing listens on the port yet
    row = OutboxMessage.objects.get()
    assert row.to == '"Ozols, Juris" <juris@example.com>'
    assert (row.cc, row.bcc, row.reply_to) == (
        "boss@example.com",
        "archive@example.com",
        "anna@example.com",
    )

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()
    finally:
        controller.stop()
    [received] = inbox.messages
    assert sorted(received.rcpt_tos) == [
        "archive@example.com",
        "boss@example.com",
        "juris@example.com",
    ]
    headers = message_from_bytes(received.content, policy=email_policy.default)
    assert headers["To"] == '"Ozols, Juris" <juris@example.com>'
    assert headers["Cc"] == "boss@example.com"
    assert headers["Reply-To"] == "anna@example.com"
    assert headers["Bcc"] is None  # the hidden copy is not shown to the others
