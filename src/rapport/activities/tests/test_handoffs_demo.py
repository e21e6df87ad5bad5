"""The demo hand-offs: one acknowledged, one waiting, one returned, one overdue and escalated."""

from __future__ import annotations

import io
import random

import pytest

from rapport.activities.choices import HandoffStatus
from rapport.activities.demo_handoffs import seed
from rapport.activities.models import Handoff
from rapport.core.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state(world):
    out = io.StringIO()
    seed(rng=random.Random(7), users=list(world.users.values()), stdout=out)
    assert out.getvalue() == "Hand-offs: 4 made, 1 escalated.\n"
    states = sorted(Handoff.objects.values_list("status", flat=True))
    assert states == sorted(
        [
            HandoffStatus.ACKNOWLEDGED,
            HandoffStatus.SENT,
            HandoffStatus.RETURNED,
            HandoffStatus.SENT,
        ]
    )
    escalated = Handoff.objects.get(escalated_at__isnull=False)
    assert escalated.escalated_to == world.user("head")
    assert escalated.from_user == world.user("support")
    assert Notification.objects.filter(
        user=world.user("head"), key=f"handoff-{escalated.pk}-escalated"
    ).exists()
    waiting = Handoff.objects.get(status=HandoffStatus.SENT, escalated_at__isnull=True)
    assert waiting.from_user == world.user("rep") and waiting.deadline > escalated.deadline


def test_the_demo_needs_its_people(world):
    out = io.StringIO()
    seed(rng=random.Random(1), users=[world.user("admin")], stdout=out)
    assert "none made" in out.getvalue()
    assert not Handoff.objects.exists()
