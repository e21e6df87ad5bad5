"""Proposals expire when their validity ends (a daily task); a proposal e-mail retried after an
SMTP failure still carries its PDF."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.core import schedule
from rapport.core.models import ChangeRecord, OutboxAttachment, OutboxMessage
from rapport.orders.models import Proposal
from rapport.orders.services import proposals as svc
from rapport.orders.tests.test_proposals import make_catalogue, make_deal

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def setup(world):
    return world, make_deal(world), make_catalogue()


def sent_proposal(world, deal, catalogue, *, valid_until) -> Proposal:
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(actor=rep, proposal=proposal, product=catalogue["product"])
    svc.proposal_send(actor=rep, proposal=proposal, person=world.people["own"])
    Proposal.objects.filter(pk=proposal.pk).update(valid_until=valid_until)
    return Proposal.objects.get(pk=proposal.pk)


def status_changes(proposal) -> list[tuple]:
    records = ChangeRecord.objects.filter(object_id=proposal.pk, action="update").order_by("pk")
    return [
        (r.actor_id, r.before["status"], r.after["status"])
        for r in records.filter(content_type__model="proposal")
        if r.before["status"] != r.after["status"]
    ]


def test_a_sent_proposal_past_its_date_expires_once(setup):
    world, deal, catalogue = setup
    late = sent_proposal(world, deal, catalogue, valid_until=TODAY - datetime.timedelta(days=1))
    valid = sent_proposal(world, deal, catalogue, valid_until=TODAY)  # valid through today
    draft = svc.proposal_create(actor=world.users["rep"], deal=deal)
    Proposal.objects.filter(pk=draft.pk).update(valid_until=TODAY - datetime.timedelta(days=30))
    revision = late.revision

    assert svc.proposals_expire(today=TODAY) == 1
    late.refresh_from_db()
    assert late.status == "expired" and late.revision == revision + 1
    assert status_changes(late)[-1] == (None, "sent", "expired")  # by the system, no actor
    assert Proposal.objects.get(pk=valid.pk).status == "sent"
    assert Proposal.objects.get(pk=draft.pk).status == "draft"

    records = ChangeRecord.objects.count()
    assert svc.proposals_expire(today=TODAY) == 0
    assert ChangeRecord.objects.count() == records
    assert Proposal.objects.get(pk=late.pk).revision == revision + 1

    # The next day the one valid through today expires too; an expired one can get a new version.
    assert svc.proposals_expire(today=TODAY + datetime.timedelta(days=1)) == 1
    assert Proposal.objects.get(pk=valid.pk).status == "expired"
    new = svc.proposal_new_version(actor=world.users["rep"], proposal=late)
    assert new.status == "draft" and Proposal.objects.get(pk=late.pk).status == "superseded"


def test_the_scheduler_queues_the_expiry_and_the_worker_runs_it(setup, run_tasks):
    world, deal, catalogue = setup
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = sent_proposal(world, deal, catalogue, valid_until=yesterday)
    DBTaskResult.objects.all().delete()

    call_command("rapport_scheduler", once=True)
    call_command("rapport_scheduler", once=True)  # a run still waiting is not queued twice
    waiting = list(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))
    # Other apps' periodic tasks are queued too; this one exactly once.
    assert waiting.count("rapport.orders.tasks.expire_proposals") == 1
    assert "rapport.core.jobs.reap_expired_task" in waiting
    run_tasks()
    assert Proposal.objects.get(pk=late.pk).status == "expired"
    result = DBTaskResult.objects.get(task_path="rapport.orders.tasks.expire_proposals")
    assert (result.status, result.return_value) == ("SUCCESSFUL", 1)


def test_daily_tasks_are_due_at_their_hour_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/Riga"
    entry = {e.name: e for e in schedule.discover()}["rapport.orders.tasks.expire_proposals"]
    riga = datetime.timezone(datetime.timedelta(hours=2))
    before = datetime.datetime(2026, 11, 24, 0, 10, tzinfo=riga)
    after = datetime.datetime(2026, 11, 24, 0, 20, tzinfo=riga)
    assert entry.next_after(before) == datetime.datetime(2026, 11, 24, 0, 15, tzinfo=riga)
    assert entry.next_after(after) == datetime.datetime(2026, 11, 25, 0, 15, tzinfo=riga)


# A proposal e-mail retried after an SMTP failure --------------------------------------------------
class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def test_a_proposal_retried_after_an_smtp_failure_still_carries_its_pdf(setup, settings, run_tasks):
    world, deal, catalogue = setup
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    proposal = sent_proposal(world, deal, catalogue, valid_until=None)  # the server is down
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.error
    stored = OutboxAttachment.objects.get(message=row)
    pdf = bytes(stored.content)
    assert stored.name == svc.pdf_filename(proposal) and pdf.startswith(b"%PDF")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()
    finally:
        controller.stop()
    assert OutboxMessage.objects.get().sent_at is not None
    [envelope] = inbox.messages
    parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == svc.pdf_filename(proposal)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == pdf
