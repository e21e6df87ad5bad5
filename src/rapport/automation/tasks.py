"""Background tasks of the automation app: rules run here, never in the request that triggered
them."""

from __future__ import annotations

import datetime

from django.tasks import task

from rapport.core.schedule import every


@task()
def handle_event(name: str, payload: dict, occurred_at: str, chain: list[int]) -> int:
    """Run the rules one event sets off (idempotent: an event processed twice runs once)."""
    from rapport.automation.services import process_event

    runs = process_event(
        name=name,
        payload=payload,
        occurred_at=datetime.datetime.fromisoformat(occurred_at),
        chain=tuple(chain),
    )
    return len(runs)


@task()
def run_date_queue() -> dict[str, int]:
    """Work through the queue of date rules' runs (any number of these run side by side)."""
    from rapport.automation.services import run_pending

    return run_pending()


@every(seconds=900)
@task()
def scan_date_rules() -> dict[str, int]:
    """Queue the runs of date rules that came due and start workers on the queue."""
    from rapport.automation.services import dates

    outcome = dates.scan_date_rules()
    for _n in range(dates.workers_wanted(outcome["pending"])):
        run_date_queue.enqueue()
    return outcome


@every(seconds=300)
@task()
def reap_stale_runs() -> dict[str, int]:
    """Put runs a dead worker left behind back in the queue (date rules) or mark them failed."""
    from rapport.automation.services import reap_stale_runs as reap

    outcome = reap()
    if outcome["requeued"]:
        run_date_queue.enqueue()
    return outcome
