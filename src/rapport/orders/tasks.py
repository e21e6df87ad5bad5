"""Background tasks of the orders app."""

from __future__ import annotations

from django.tasks import task

from rapport.core.schedule import daily


@daily(at="00:15")
@task()
def expire_proposals() -> int:
    """Move the sent proposals whose validity has ended to expired (idempotent)."""
    from rapport.orders.services.proposals import proposals_expire

    return proposals_expire()
