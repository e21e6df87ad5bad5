"""The demo tasks: overdue ones, done ones, queued ones, checklists, and next steps on about half
of the open deals (also when the deals are seeded after the tasks)."""

from __future__ import annotations

import io
import random

import pytest
from django.db.models import Q
from django.utils import timezone

from rapport.activities import demo
from rapport.activities.models import Task
from rapport.activities.selectors.tasks import deals_without_next_step
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def _deals(world, count=12):
    pipeline = make_pipeline(world.user("admin"))
    for i in range(count):
        owner = world.user("rep" if i % 2 else "teammate")
        company = world.companies["own" if i % 2 else "team"]
        make_deal(owner, pipeline, company, name=f"Demo deal {i}")


def test_demo_tasks(world):
    _deals(world)
    out = io.StringIO()
    demo.seed(rng=random.Random(7), users=list(world.users.values()), stdout=out)
    now = timezone.now()
    tasks = Task.objects.all()
    assert tasks.filter(status__in=("open", "in_progress"), due_at__lt=now).exists()  # overdue
    assert tasks.filter(status="done").exists()
    assert tasks.filter(due_at__gt=now, remind_at__isnull=False).exists()
    assert tasks.filter(assignee__isnull=True, department__name="Marketing").exists()
    assert tasks.filter(department__name="Marketing", assignee=world.user("marketer")).exists()
    assert tasks.exclude(checklist=[]).exists()
    assert tasks.filter(content_type__model="company").exists()
    on_deals = tasks.filter(content_type__model="deal").values("object_id").distinct().count()
    assert 2 <= on_deals <= 11
    left = deals_without_next_step(world.user("director")).count()
    assert left >= 1 and left + on_deals <= 12  # (a planned meeting is a next step too)
    # Every task is made through the services (its creation is in the change log).
    assert not tasks.filter(~Q(author__isnull=False)).exists()
    assert "next steps on 12 open deals" in out.getvalue()


def test_deals_seeded_later_get_their_tasks_when_the_demo_commits(
    world, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        demo.seed(rng=random.Random(3), users=list(world.users.values()), stdout=out)
    assert not Task.objects.filter(content_type__model="deal").exists()
    _deals(world, 8)  # the sales demo runs after this app's
    for callback in callbacks:
        callback()
    assert Task.objects.filter(content_type__model="deal").exists()
    assert "next steps on 8 open deals" in out.getvalue()
