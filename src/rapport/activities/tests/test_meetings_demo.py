"""The demo calendar: meetings around today for the salespeople, some held (on the timeline)."""

from __future__ import annotations

import io
import random

import pytest

from rapport.activities import demo_calendar
from rapport.activities.models import Activity, Meeting

pytestmark = pytest.mark.django_db


def test_demo_meetings_around_today(world):
    activities = Activity.objects.count()
    out = io.StringIO()
    demo_calendar.seed(rng=random.Random(7), users=list(world.users.values()), stdout=out)
    planners = [u for u in world.users.values() if u.role in ("sales_rep", "head")]
    assert Meeting.objects.count() == demo_calendar.PER_USER * len(planners)
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert "planned" in statuses and "held" in statuses
    held = Meeting.objects.filter(status="held").count()
    assert Activity.objects.count() - activities == held
    assert "Meetings:" in out.getvalue()
