"""Overdue stages: the controller is told once per stage, by any number of workers."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from conftest import build_world
from rapport.core.models import Notification
from rapport.core.schedule import discover
from rapport.processes.models import ProcessStage
from rapport.processes.services.deviations import claim_overdue_stages, overdue_stages_notify
from rapport.processes.services.instances import process_cancel, process_start, stage_update
from rapport.processes.tasks import notify_overdue_stages
from rapport.processes.tests.factories import make_deal, make_template, start_on_deal


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_overdue_stage_told_to_the_controller_once(world):
    head = world.users["head"]
    template = make_template(world.users["admin"], controller=head)
    late, _deal = start_on_deal(world, template=template, start_at=_ago(5))
    start_on_deal(world, key="team", template=template)  # on time
    assert overdue_stages_notify() == 1
    note = Notification.objects.get(user=head, title__startswith="Overdue")
    assert note.title == "Overdue: “Qualification” in “Typical sales model”"
    assert "Executor: Rep Tester." in note.body and note.url == late.get_absolute_url()
    assert note.email_wanted
    assert overdue_stages_notify() == 0
    assert Notification.objects.filter(title__startswith="Overdue").count() == 1
    stage = late.stages.get(position=0)
    assert stage.overdue_notified_at is not None
    # A new planned end (in the future) forgets the mark: the next delay is told again.
    stage_update(actor=head, stage=stage, planned_end=timezone.now() + datetime.timedelta(days=1))
    stage.refresh_from_db()
    assert stage.overdue_notified_at is None and not stage.is_overdue()


def test_a_cancelled_process_is_not_reported(world):
    instance, _deal = start_on_deal(world, start_at=_ago(5))
    process_cancel(actor=world.users["rep"], instance=instance)
    assert overdue_stages_notify() == 0


def test_the_periodic_task_is_scheduled_and_runs(world):
    entry = next(e for e in discover() if e.name.endswith("notify_overdue_stages"))
    assert entry.every == datetime.timedelta(minutes=5)
    start_on_deal(world, start_at=_ago(5))
    assert notify_overdue_stages.call() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_tell_the_same_stage_twice():
    """Truly in parallel on PostgreSQL (SKIP LOCKED leaves each worker the rows the other has
    not locked); one after the other on SQLite."""
    world = build_world()
    template = make_template(world.users["admin"], controller=world.users["head"])
    for i in range(24):
        deal = make_deal(world, name=f"Late {i}")
        process_start(actor=world.users["rep"], template=template, record=deal, start_at=_ago(5))
    parallel = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if parallel else 1)
    claimed: dict[int, list[int]] = {0: [], 1: []}
    errors = []

    def worker(number):
        try:
            barrier.wait(timeout=10)
            while True:
                batch = claim_overdue_stages(batch_size=3)
                claimed[number].extend(batch)
                if not batch:
                    break
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            if parallel:
                connection.close()

    if parallel:
        threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        worker(0)
        worker(1)
    assert not errors, errors
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)) == 24
    assert ProcessStage.objects.filter(overdue_notified_at__isnull=False).count() == 24
    assert Notification.objects.filter(title__startswith="Overdue").count() == 24
