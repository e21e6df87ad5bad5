"""Helpers of the automation tests: deals to act on, rules saved through the service, and the
queued background tasks run in-process (as the worker would)."""

from __future__ import annotations

import pytest

from rapport.automation.services.rules import forget_rules
from rapport.sales.tests.deals_factories import make_deal, make_pipeline


@pytest.fixture(autouse=True)
def _fresh_rule_memo():
    forget_rules()
    yield
    forget_rules()


@pytest.fixture
def admin(world):
    return world.users["admin"]


@pytest.fixture
def pipeline(admin):
    return make_pipeline(admin)


@pytest.fixture
def deal(world, pipeline):
    return make_deal(world.users["rep"], pipeline, world.companies["own"], name="Fibre roll-out")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...``: the block's on-commit callbacks (events) run at its end."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def drain(django_capture_on_commit_callbacks):
    """Run the queued automation tasks (and those they queue) in this test's transaction."""
    from django_tasks_db.models import DBTaskResult

    def run(limit: int = 50) -> int:
        done = 0
        for _round in range(limit):
            rows = list(
                DBTaskResult.objects.filter(
                    status="READY", task_path__startswith="rapport.automation.tasks."
                ).order_by("enqueued_at", "id")
            )
            if not rows:
                break
            for row in rows:
                DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")
                with django_capture_on_commit_callbacks(execute=True):
                    row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
                done += 1
        return done

    return run
