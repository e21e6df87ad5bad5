"""Periodic tasks: declared next to their task (`@every`, `@daily`), enqueued by the scheduler.

The scheduler process (``manage.py rapport_scheduler``, started by ``rapport_run``) only enqueues;
the task workers run the tasks, so a periodic task runs on any worker like every other task.
Declare it in an app's ``tasks.py`` (imported by :func:`discover`), on top of ``@task()``::

    @daily(at="00:15")
    @task()
    def expire_proposals() -> int: ...

Every periodic task also runs once when the scheduler starts, so an install that is not up at
the declared hour still gets it: periodic tasks must therefore be idempotent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Periodic:
    task: Task
    every: datetime.timedelta | None = None
    daily_at: datetime.time | None = None

    @property
    def name(self) -> str:
        return self.task.module_path

    def next_after(self, now: datetime.datetime) -> datetime.datetime:
        """When it is due next after ``now`` (daily times are in the site's time zone)."""
        if self.every is not None:
            return now + self.every
        local = timezone.localtime(now)
        day = local.date()
        when = datetime.datetime.combine(day, self.daily_at, tzinfo=local.tzinfo)
        if when <= local:
            when = datetime.datetime.combine(
                day + datetime.timedelta(days=1), self.daily_at, tzinfo=local.tzinfo
            )
        return when


_schedule: dict[str, Periodic] = {}


def _register(entry: Periodic) -> Task:
    _schedule[entry.name] = entry
    return entry.task


def every(*, seconds: int):
    """Run the task every ``seconds`` seconds."""
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    return lambda task: _register(Periodic(task, every=datetime.timedelta(seconds=seconds)))


def daily(*, at: str):
    """Run the task every day at ``at`` ("HH:MM", the site's time zone)."""
    time = datetime.time.fromisoformat(at)
    return lambda task: _register(Periodic(task, daily_at=time))


def discover() -> list[Periodic]:
    """Every declared periodic task (importing each installed app's ``tasks`` module)."""
    autodiscover_modules("tasks")
    return sorted(_schedule.values(), key=lambda entry: entry.name)


def _waiting(task: Task) -> bool:
    """The database backend already holds a run of this task that no worker has taken yet (a
    stopped worker must not come back to a pile of identical runs)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def enqueue_due(
    entries: list[Periodic], due: dict[str, datetime.datetime], now: datetime.datetime
) -> list[str]:
    """Enqueue the entries due at ``now`` (an entry missing from ``due`` is due) and move their
    next time on; return the names enqueued."""
    enqueued = []
    for entry in entries:
        if due.get(entry.name, now) > now:
            continue
        if not _waiting(entry.task):
            entry.task.enqueue()
            enqueued.append(entry.name)
        due[entry.name] = entry.next_after(now)
    return enqueued
