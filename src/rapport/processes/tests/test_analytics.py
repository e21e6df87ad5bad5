"""Process analytics: time per stage and per executor, where processes stall, from SQL
aggregates that SQLite and PostgreSQL both run, in a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.activities.models import Task
from rapport.processes.models import ProcessStage
from rapport.processes.selectors import template_analytics
from rapport.processes.services.instances import process_advance
from rapport.processes.tests.factories import make_template, start_on_deal

H = datetime.timedelta(hours=1)
STAGES = [
    {"name": "Delivery", "executor_role": "sales_rep", "duration_value": 1},
    {"name": "Commissioning", "executor_role": "sales_rep", "duration_value": 1},
]


def _finish_first(instance, *, took: datetime.timedelta, start) -> None:
    """The first stage done, having taken ``took`` from ``start``; the second active since."""
    from rapport.activities.services.tasks import task_set_status

    first = instance.stages.get(position=0)
    task_set_status(actor=first.task.assignee, task=first.task, status="done")
    process_advance(task_id=first.task_id)
    ProcessStage.objects.filter(pk=first.pk).update(
        planned_start=start, planned_end=start + 24 * H, started_at=start, finished_at=start + took
    )
    Task.objects.filter(pk=first.task_id).update(completed_at=start + took)
    second = instance.stages.get(position=1)
    ProcessStage.objects.filter(pk=second.pk).update(
        planned_start=start + 24 * H, planned_end=start + 48 * H, started_at=start + took
    )


def test_time_per_stage_and_executor_and_stalls(world):
    now = timezone.now().replace(microsecond=0)
    start = now - 72 * H
    template = make_template(world.users["admin"], stages=STAGES)
    own, _deal = start_on_deal(world, template=template)
    team, _deal = start_on_deal(world, key="team", template=template)
    _finish_first(own, took=10 * H, start=start)
    _finish_first(team, took=30 * H, start=start)
    figures = template_analytics(template, now=now)
    assert (figures.running, figures.completed, figures.cancelled) == (2, 0, 0)
    delivery, commissioning = figures.stages
    assert (delivery.name, delivery.done) == ("Delivery", 2)
    assert delivery.average == 20 * H and delivery.slowest == 30 * H
    assert delivery.late == 1 and delivery.delay_total == 6 * H  # 30 h against 24 planned
    assert (commissioning.done, commissioning.active, commissioning.overdue) == (0, 2, 2)
    # Both are 24 h past their planned end; active for 62 h and 42 h.
    assert commissioning.delay_total == 48 * H and commissioning.active_time == 104 * H
    assert [s.name for s in figures.stalls] == ["Commissioning", "Delivery"]
    by_user = {row.user.username: row for row in figures.executors}
    assert by_user["rep"].average == 10 * H and by_user["teammate"].slowest == 30 * H
    assert [row.user.username for row in figures.executors] == ["teammate", "rep"]  # slowest first
    # Scoped: the outsider sees neither process, so no figures.
    outsider = template_analytics(template, user=world.users["outsider"], now=now)
    assert outsider.running == 0 and all(s.done == 0 for s in outsider.stages)


def test_analytics_query_count_does_not_grow(world):
    template = make_template(world.users["admin"], stages=STAGES)
    start = timezone.now() - 72 * H
    instance, _deal = start_on_deal(world, template=template)
    _finish_first(instance, took=5 * H, start=start)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            template_analytics(template, user=world.users["director"])
        return len(ctx.captured_queries)

    few = count()
    for _i in range(4):
        more, _deal = start_on_deal(world, key="team", template=template)
        _finish_first(more, took=7 * H, start=start)
        more.stages.update(status="done")
    assert count() == few <= 6
