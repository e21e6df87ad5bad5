"""The demo processes: three templates, processes running on deals, orders and customers,
with an overdue stage and a skipped one among them."""

from __future__ import annotations

import io
import random

from django.utils import timezone

from rapport.accounts.models import Department
from rapport.processes import demo
from rapport.processes.models import ProcessInstance, ProcessStage, ProcessTemplate
from rapport.processes.selectors import template_analytics
from rapport.processes.tests.factories import make_deal
from tests.app_rules.orders_documents import make_order


def test_demo_processes(world):
    out = io.StringIO()
    demo.seed(rng=random.Random(5), users=list(world.users.values()), stdout=out)
    assert "no processes" in out.getvalue() and not ProcessTemplate.objects.exists()

    service = Department.objects.create(name="Service", kind="service")
    support = world.users["support"]
    support.department, support.team = service, None
    support.save()
    for i in range(6):
        make_deal(world, "own" if i % 2 else "team", name=f"Demo deal {i}")
    orders = [make_order(world, "own") for _i in range(3)]
    demo.seed(rng=random.Random(5), users=list(world.users.values()), stdout=out)
    assert "3 process templates, 11 processes" in out.getvalue()
    assert set(ProcessTemplate.objects.values_list("name", flat=True)) == {
        "Typical sales model",
        "Equipment delivery and commissioning",
        "Complaint handling",
    }
    now = timezone.now()
    running = ProcessInstance.objects.filter(status="running")
    assert running.filter(content_type__model="deal").count() == 6
    assert running.filter(content_type__model="order").count() == 3
    assert running.filter(content_type__model="company").count() == 2
    # Deviations: overdue stages and a skipped one with its reason.
    assert ProcessStage.objects.filter(status="active", planned_end__lt=now).exists()
    skipped = ProcessStage.objects.get(status="skipped")
    assert skipped.skipped_reason and skipped.skipped_by == world.users["head"]
    # The newest order's schedule has exact dates at 9:00, next week.
    schedule = ProcessInstance.objects.get(object_id=orders[-1].pk, content_type__model="order")
    delivery = schedule.stages.get(position=1)
    assert timezone.localtime(delivery.planned_start).hour == 9
    assert delivery.planned_start > now
    # Done stages lie in the past with durations the analytics can average.
    done = ProcessStage.objects.filter(status="done")
    assert done.exists() and not done.filter(finished_at__gt=now).exists()
    figures = template_analytics(ProcessTemplate.objects.get(name="Typical sales model"))
    assert figures.stages[0].done and figures.stages[0].average
