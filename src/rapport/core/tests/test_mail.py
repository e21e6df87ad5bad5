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
