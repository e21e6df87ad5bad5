"""Background jobs: visible progress, a heartbeat lease, and a reaper for workers that died.

A job row is created in the caller's transaction and its task is enqueued with it (the task table
lives in the same database, so a rolled-back request leaves no job). The handler reports progress,
which also renews its lease; the reaper re-queues a job whose lease expired (a worker killed
mid-run) and fails it after too many attempts. Handlers must be resumable from ``progress_done``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.core.models import Job, JobStatus
from rapport.core.schedule import every

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
_handlers: dict[str, Callable[[Job], dict[str, Any]]] = {}


def job_handler(kind: str):
    def register(fn: Callable[[Job], dict[str, Any]]):
        _handlers[kind] = fn
        return fn

    return register


def lease_seconds() -> int:
    return settings.RAPPORT["TASK_LEASE_SECONDS"]


def job_start(*, actor, kind: str, params: dict[str, Any], total: int = 0, draft=False) -> Job:
    """Create a job; unless it is a draft (waiting for the user), queue it at once."""
    if kind not in _handlers:
        raise LookupError(f"No handler for job kind {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(
            owner=actor,
            kind=kind,
            params=params,
            progress_total=total,
            status=JobStatus.DRAFT if draft else JobStatus.QUEUED,
        )
        if not draft:
            run_job.enqueue(job.pk)
    return job


def job_queue(*, actor, job: Job, params: dict[str, Any]) -> Job:
    """Start a draft job with its final parameters (e.g. an import after the column mapping)."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, owner=actor, status=JobStatus.DRAFT).update(
            status=JobStatus.QUEUED, params=params, updated_at=timezone.now()
        )
        if updated:
            run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def job_attach_file(job: Job, *, role: str, name: str, content: bytes, content_type: str):
    from rapport.core.models import JobFile

    return JobFile.objects.update_or_create(
        job=job,
        role=role,
        defaults={
            "name": name[:255],
            "content": content,
            "content_type": content_type,
            "size": len(content),
        },
    )[0]


def job_progress(job: Job, *, done: int, total: int | None = None) -> None:
    """Record progress and renew the lease (call it inside the chunk's transaction)."""
    job.progress_done = done
    fields = ["progress_done", "heartbeat_at", "updated_at"]
    if total is not None:
        job.progress_total = total
        fields.append("progress_total")
    job.heartbeat_at = timezone.now()
    job.save(update_fields=fields)


@task()
def run_job(job_id: int) -> str:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return "skipped"
    job = Job.objects.get(pk=job_id)
    handler = _handlers[job.kind]
    try:
        result = handler(job)
    except Exception as exc:
        logger.exception("Job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(exc)[:5000], finished_at=timezone.now()
        )
        return "failed"
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        result=result or {},
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return "done"


def reap_expired(now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue or fail jobs whose lease expired, and release task rows stuck in RUNNING."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=lease_seconds())
    requeued = failed = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                with translation.override(job.owner.language or settings.LANGUAGE_CODE):
                    error = _("The worker running this job stopped responding too many times.")
                failed += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                    status=JobStatus.FAILED,
                    error=error,
                    finished_at=now,
                )
                continue
            if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.QUEUED
            ):
                run_job.enqueue(job.pk)
                requeued += 1
    stuck = 0
    alive_jobs = set(
        Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__gte=cutoff).values_list(
            "pk", flat=True
        )
    )
    for row in DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff):
        args = (row.args_kwargs or {}).get("args") or []
        if row.task_path.endswith(".run_job") and args and args[0] in alive_jobs:
            continue  # a long job that still heartbeats holds its lease
        stuck += DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path="rapport.core.jobs.LeaseExpired",
            traceback="The worker stopped before finishing this task (lease expired).",
        )
    return {"requeued": requeued, "failed": failed, "released_tasks": stuck}


@every(seconds=60)
@task()
def reap_expired_task() -> dict[str, int]:
    return reap_expired()
