"""Escalation of overdue hand-offs: to the head of the receiving department, in the app and by
e-mail over real SMTP, once only, however many workers claim at the same time."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rapport.activities.choices import HandoffStatus, TaskStatus
from rapport.activities.models import Handoff
from rapport.activities.services.handoffs import (
    claim_due_escalations,
    handoff_acknowledge,
)
from rapport.activities.services.tasks import task_set_status, task_take
from rapport.activities.tests.test_handoffs_services import logistics, rep_task, send
from rapport.core.models import ChangeRecord, Notification


def make_overdue(*handoffs, hours=2):
    past = timezone.now() - datetime.timedelta(hours=hours)
    Handoff.objects.filter(pk__in=[h.pk for h in handoffs]).update(deadline=past)


def escalation_notes(handoff):
    return Notification.objects.filter(key=f"handoff-{handoff.pk}-escalated")


@pytest.mark.django_db
def test_overdue_handoffs_go_to_the_head_in_the_app_and_by_email(
    world, smtp_server, django_capture_on_commit_callbacks
):
    dept = logistics()
    waiting = send(world, dept, task=rep_task(world, title="Deliver the pump"))
    acknowledged = send(world, dept, task=rep_task(world, title="Pick up the returns"))
    handoff_acknowledge(actor=dept.clerk, handoff=acknowledged)
    in_time = send(world, dept, task=rep_task(world, title="Not late yet"))
    finished = send(world, dept, task=rep_task(world, title="Already done"))
    task = task_take(actor=dept.clerk, task=finished.task)
    task_set_status(actor=dept.clerk, task=task, status=TaskStatus.DONE)  # its event not run
    make_overdue(waiting, acknowledged, finished)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert claim_due_escalations(now, batch=500) == 3

    waiting.refresh_from_db()
    assert (waiting.escalated_at, waiting.escalated_to) == (now, dept.head)
    assert waiting.status == HandoffStatus.SENT  # still theirs to acknowledge
    (note,) = escalation_notes(waiting)
    assert note.user == dept.head and note.email_wanted and note.emailed_at
    # In the head's language (Latvian).
    assert note.title == "Kavēta nodošana nodaļai „Logistics”: Deliver the pump"
    assert "neviens nodošanu neapstiprināja" in note.body
    (late,) = escalation_notes(acknowledged)
    assert "Apstiprināja: Logistics.clerk Tester" in late.body
    assert not escalation_notes(in_time).exists()
    finished.refresh_from_db()
    assert finished.status == HandoffStatus.DONE and finished.escalated_at is None
    assert not escalation_notes(finished).exists()
    # The head got two e-mails over SMTP, in their language's date format.
    assert [m.rcpt_tos for m in smtp_server.messages] == [[dept.head.email]] * 2
    assert any(b"Deliver the pump" in m.content for m in smtp_server.messages)
    # The escalation is in the customer's history, by the system.
    change = ChangeRecord.objects.filter(content_type__model="handoff", object_id=waiting.pk)
    escalated = change.latest("pk")
    assert escalated.actor is None and escalated.after["escalated_to"] == str(dept.head)
    assert escalated.parent_object_id == world.companies["own"].pk

    # A second run finds nothing: nobody is told twice.
    counts = (Notification.objects.count(), ChangeRecord.objects.count(), len(smtp_server.messages))
    with django_capture_on_commit_callbacks(execute=True):
        assert claim_due_escalations(timezone.now()) == 0
    assert (
        Notification.objects.count(),
        ChangeRecord.objects.count(),
        len(smtp_server.messages),
    ) == (counts)


@pytest.mark.django_db
def test_without_a_head_the_members_and_the_sender_are_told(world):
    dept = logistics(head=False)
    handoff = send(world, dept)
    make_overdue(handoff)
    assert claim_due_escalations() == 1
    handoff.refresh_from_db()
    assert handoff.escalated_at and handoff.escalated_to is None
    told = {n.user for n in escalation_notes(handoff)}
    assert told == {dept.clerk, world.user("rep")}
    note = escalation_notes(handoff).get(user=world.user("rep"))
    assert "no head to escalate to" in note.title
    assert "Logistics has no head, so its members and the sender are told" in note.body


@pytest.mark.django_db
def test_claims_come_in_batches(world):
    dept = logistics()
    handoffs = [send(world, dept, task=rep_task(world, title=f"Job {i}")) for i in range(5)]
    make_overdue(*handoffs)
    assert [claim_due_escalations(batch=2) for _ in range(4)] == [2, 2, 1, 0]
    assert Handoff.objects.filter(escalated_at__isnull=False).count() == 5
    assert Notification.objects.filter(key__endswith="-escalated").count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_escalate_one_twice():
    """One worker holds its claimed batch (not yet committed); another claiming at the same
    time skips those rows instead of waiting for them or taking them again.

    On SQLite a writing transaction starts IMMEDIATE, so workers take turns (the tests'
    in-memory database cannot hold two connections' transactions at once: there the test
    checks that setting)."""
    if not connection.features.has_select_for_update_skip_locked:
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    from conftest import build_world

    world = build_world()
    dept = logistics()
    handoffs = [send(world, dept, task=rep_task(world, title=f"Job {i}")) for i in range(6)]
    make_overdue(*handoffs)
    holding, release, first, errors = threading.Event(), threading.Event(), [], []

    def first_worker():
        try:
            with transaction.atomic():
                first.append(claim_due_escalations(batch=3))
                holding.set()
                release.wait(timeout=10)
        except Exception as exc:  # reported below
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert holding.wait(timeout=10)
    second = claim_due_escalations(batch=10)  # does not wait: skips the locked three
    assert thread.is_alive()  # the first still holds its rows (uncommitted)
    release.set()
    thread.join(timeout=10)
    assert not errors, errors
    assert (first, second) == ([3], 3)
    assert claim_due_escalations(batch=10) == 0
    for handoff in handoffs:
        assert escalation_notes(handoff).count() == 1
        changes = ChangeRecord.objects.filter(
            content_type__model="handoff", object_id=handoff.pk, actor__isnull=True
        )
        assert changes.count() == 1
