"""Notification e-mails survive a worker that stops halfway: what it claimed is kept in the
outbox with the claim, and the five-minute sweep sends what was left — over real SMTP, once."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from rapport.core import mail, schedule
from rapport.core.models import Notification, OutboxMessage
from rapport.core.notifications import (
    Notice,
    _claim_emails,
    _message,
    notify_many,
    send_stale_emails,
)


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def tell(world, *usernames, key="late-reminder"):
    """Notifications wanting an e-mail, committed, whose e-mails nobody sent yet (the test's
    transaction never commits, so the after-commit sending does not run: a stopped worker)."""
    return notify_many(
        [
            Notice(
                users=[world.user(name) for name in usernames],
                kind="reminder",
                title="Call the buyer back",
                url="/tasks/1/",
                key=key,
                email=True,
            )
        ]
    )


@pytest.mark.django_db
def test_the_sweep_sends_notifications_a_stopped_worker_never_e_mailed(world, smtp_server):
    made = tell(world, "rep", "head")
    assert len(made) == 2 and not smtp_server.messages
    # Fresh ones are left to the worker sending them now.
    assert send_stale_emails() == 0
    assert send_stale_emails(now=later(20)) == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "head@example.com",
        "rep@example.com",
    ]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    # A second sweep finds nothing: nobody gets it twice.
    assert send_stale_emails(now=later(40)) == 0
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_messages_kept_with_the_claim_but_never_delivered_are_sent_once(world, smtp_server):
    made = tell(world, "rep")
    # A worker claims the e-mail and keeps it in the outbox, then stops before delivering.
    with transaction.atomic():
        rows = _claim_emails([n.pk for n in made])
        mail.store_messages([_message(row) for row in rows])
    kept = OutboxMessage.objects.get()
    assert kept.sent_at is None and kept.attempts == 0 and not smtp_server.messages
    assert Notification.objects.get().emailed_at is not None  # claimed: not claimed again
    assert send_stale_emails(now=later(20)) == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [["rep@example.com"]]
    assert b"Call the buyer back" in smtp_server.messages[0].content
    kept.refresh_from_db()
    assert kept.sent_at is not None
    assert send_stale_emails(now=later(40)) == 0 and len(smtp_server.messages) == 1


def test_the_sweep_runs_every_five_minutes():
    entries = {e.name: e for e in schedule.discover()}
    assert entries["rapport.core.tasks.send_stale_emails"].every == datetime.timedelta(minutes=5)


@pytest.mark.django_db
def test_without_smtp_kept_messages_are_where_they_belong(world, settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    tell(world, "rep")
    assert send_stale_emails(now=later(20)) == 1  # kept in the outbox: that is the sending
    assert send_stale_emails(now=later(40)) == 0  # and it is not counted again
    assert OutboxMessage.objects.count() == 1
