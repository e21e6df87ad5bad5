"""The demo deals: every stage has deals, histories lie in the past, closed deals are closed."""

from __future__ import annotations

import io
import random

from django.db.models import Count
from django.utils import timezone

from rapport.sales import demo
from rapport.sales.models import Deal, DealStageChange, Pipeline, Stage


def test_demo_deals(world):
    out = io.StringIO()
    demo.seed(rng=random.Random(7), users=list(world.users.values()), stdout=out)
    assert "400 deals in 3 pipelines" in out.getvalue()
    nouns = dict(Pipeline.objects.values_list("name", "deal_noun"))
    assert nouns == {"New business": "", "Renewals": "renewal", "Equipment": "project"}
    used = set(Deal.objects.values_list("stage_id", flat=True))
    assert used == set(Stage.objects.values_list("pk", flat=True))  # every stage has deals
    now = timezone.now()
    assert not DealStageChange.objects.filter(changed_at__gt=now).exists()
    assert not Deal.objects.exclude(status="open").filter(closed_at__isnull=True).exists()
    assert not Deal.objects.filter(status="open", closed_at__isnull=False).exists()
    assert not Deal.objects.filter(status="lost", lost_reason__isnull=True).exists()
    assert Deal.objects.filter(currency="USD").exists()
    oldest = Deal.objects.order_by("created_at").first().created_at
    assert (now - oldest).days > 365
    # Each deal's history ends in its current stage, at the time it entered it.
    per_deal = DealStageChange.objects.values("deal").annotate(n=Count("pk"))
    assert min(row["n"] for row in per_deal) >= 1
    deal = Deal.objects.exclude(status="open").first()
    last = DealStageChange.objects.filter(deal=deal).order_by("changed_at").last()
    assert last.to_stage_id == deal.stage_id and last.changed_at == deal.closed_at
