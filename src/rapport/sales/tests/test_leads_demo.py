"""The demo leads: several sources, a queue, every status, quick to make."""

from __future__ import annotations

import io
import random
import time

from rapport.accounts.models import Territory
from rapport.sales.demo_leads import seed_leads
from rapport.sales.models import Deal, DistributionRule, Lead, LeadWebForm, Pipeline, Stage


def test_seed_leads(world):
    Territory.objects.create(name="Ukraine")
    pipeline = Pipeline.objects.create(name="New business", currency="EUR")
    Stage.objects.create(pipeline=pipeline, name="Contact", position=1)
    out = io.StringIO()
    started = time.monotonic()
    seed_leads(rng=random.Random(7), users=list(world.users.values()), stdout=out)
    assert time.monotonic() - started < 20
    assert LeadWebForm.objects.count() == 2 and DistributionRule.objects.count() == 3
    assert Lead.objects.count() == 60
    sources = set(Lead.objects.values_list("source", flat=True))
    assert {"web_form", "event", "import"} <= sources
    assert Lead.objects.filter(owner__isnull=True).exists()  # a queue for the head
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert {"new", "qualified", "disqualified", "converted"} <= statuses
    assert Deal.objects.filter(lead__isnull=False).exists()
    assert Lead.objects.exclude(utm_source="").filter(source="web_form").count() == 20
    assert "60 leads" in out.getvalue()
