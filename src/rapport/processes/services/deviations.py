"""Overdue stages: the controller is told once per overdue stage (and planned end).

Called by the periodic task ``processes.tasks.notify_overdue_stages``. Stages are claimed in
batches with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked in the same transaction, so any
number of workers tell each controller exactly once; the notification's key makes a retry
harmless too.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.models import NotificationKind
from rapport.core.notifications import Notice, notify_many
from rapport.processes.choices import ProcessStatus, StageStatus
from rapport.processes.models import ProcessInstance, ProcessStage
from rapport.processes.services.instances import _when

BATCH = 200
# A run stops taking new batches after this long: the run every five minutes goes on from there.
TIME_BUDGET = 240.0


def _claim(now, batch_size: int) -> list[ProcessStage]:
    """Up to ``batch_size`` overdue stages nobody was told about, locked and marked told."""
    due = (
        ProcessStage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=StageStatus.ACTIVE,
            overdue_notified_at__isnull=True,
            planned_end__lt=now,
            instance__status=ProcessStatus.RUNNING,
        )
        .order_by("planned_end", "pk")[:batch_size]
    )
    claimed = list(due)
    if claimed:
        ProcessStage.objects.filter(pk__in=[s.pk for s in claimed]).update(overdue_notified_at=now)
    return claimed


def _notice(stage: ProcessStage, instance: ProcessInstance) -> Notice:
    process_name, stage_name = instance.name, stage.name
    executor, end = stage.executor_label, stage.planned_end
    return Notice(
        users=[instance.controller],
        kind=NotificationKind.PROCESS,
        title=lambda user: (
            _("Overdue: “%(stage)s” in “%(process)s”")
            % {"stage": stage_name, "process": process_name}
        ),
        body=lambda user: (
            _("It was planned to end %(end)s. Executor: %(executor)s.")
            % {"end": _when(end), "executor": executor or "—"}
        ),
        url=instance.get_absolute_url(),
        key=f"process.overdue.{stage.pk}.{int(end.timestamp())}",
        email=True,
    )


def claim_overdue_stages(*, now=None, batch_size: int = BATCH) -> list[int]:
    """Claim up to ``batch_size`` overdue stages nobody was told about, tell their controllers
    and return the stages' ids (one transaction: a worker that dies tells nobody and claims
    nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim(now, batch_size)
        if not claimed:
            return []
        ids = [stage.pk for stage in claimed]
        instances = ProcessInstance.objects.select_related("controller").in_bulk(
            {stage.instance_id for stage in claimed}
        )
        stages = (
            ProcessStage.objects.filter(pk__in=ids)
            .select_related("executor_user", "executor_department")
            .in_bulk()
        )
        notify_many(
            _notice(stages[stage.pk], instances[stage.instance_id])
            for stage in claimed
            if instances[stage.instance_id].controller is not None
        )
    return ids


def overdue_stages_notify(*, now=None, batch_size: int = BATCH, budget: float = TIME_BUDGET) -> int:
    """Tell the controllers about the stages that went overdue, batch after batch (each its own
    transaction) until none is left or the time budget is spent (the next run goes on)."""
    started, told = time.monotonic(), 0
    while time.monotonic() - started < budget:
        ids = claim_overdue_stages(now=now, batch_size=batch_size)
        told += len(ids)
        if len(ids) < batch_size:
            break
    return told
