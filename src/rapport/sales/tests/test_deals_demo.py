"""The demo deals: every stage has deals, histories lie in the past, closed deals are closed."""

from __future__ import annotations

import io
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.core.changelog import history_for
from rapport.core.models import ChangeRecord
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


def test_each_demo_deal_has_its_creation_in_the_change_log(world):
    demo.seed(rng=random.Random(7), users=list(world.users.values()), stdout=io.StringIO())
    deal_type = ContentType.objects.get_for_model(Deal)
    # (The demo leads converted into deals add a few more, through the services.)
    created = ChangeRecord.objects.filter(content_type=deal_type, action="create")
    assert sorted(created.values_list("object_id", flat=True)) == sorted(
        Deal.objects.values_list("pk", flat=True)
    )
    deal = Deal.objects.exclude(person=None).exclude(status="open").first()
    (created,) = history_for([deal])
    assert created.created_at == deal.created_at and created.actor_id == deal.owner_id
    assert created.after["company"] == deal.company.name
    assert created.after["person"] == str(deal.person)
    assert created.after["stage"] == deal.stage.name and created.after["team"] == deal.team.name
    assert Decimal(created.after["amount"]) == deal.amount
    # The deal's card shows it in its history.
    client = Client()
    client.force_login(world.user("admin"))
    page = client.get(deal.get_absolute_url()).content.decode()
    assert f"{created.get_action_display()} {deal.name}</li>" in page


def test_the_demo_writes_the_change_log_in_batches_not_per_deal(world):
    demo.seed(rng=random.Random(7), users=list(world.users.values()), stdout=io.StringIO())
    deals = list(Deal.objects.select_related("pipeline", "stage", "owner", "lost_reason"))
    ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Deal)).delete()
    with CaptureQueriesContext(connection) as captured:
        demo._creation_records(deals, batch_size=150)
    inserts = [q for q in captured if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3  # 400 deals, 150 a batch
    assert len(captured) <= 3 + 1 + len(inserts)  # names of companies, people, teams (+ type)
