"""Background tasks of the processes app."""

from __future__ import annotations

from django.tasks import task

from rapport.core.schedule import every


@every(seconds=300)
@task()
def notify_overdue_stages() -> int:
    """Tell each controller once about every stage of theirs that went overdue (idempotent)."""
    from rapport.processes.services.deviations import overdue_stages_notify

    return overdue_stages_notify()
