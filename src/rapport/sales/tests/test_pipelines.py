"""Administration of pipelines, stages and reasons for losing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from rapport.sales.models import LostReason, Pipeline, Stage
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_builds_a_pipeline_with_ordered_stages(world):
    client = _client(world.user("admin"))
    response = client.post(
        reverse("sales:pipeline_list"),
        {
            "name": "Equipment",
            "deal_noun": "project",
            "deal_noun_plural": "projects",
            "currency": "USD",
            "position": 2,
            "is_active": "on",
        },
    )
    pipeline = Pipeline.objects.get(name="Equipment")
    assert response["Location"] == reverse("sales:pipeline_update", args=[pipeline.pk])
    url = reverse("sales:pipeline_update", args=[pipeline.pk])
    for position, (name, kind, probability) in enumerate(
        [("Design", "open", 20), ("Won", "won", 100), ("Lost", "lost", 0)]
    ):
        client.post(
            url,
            {
                "add_stage": "1",
                "stage-name": name,
                "stage-kind": kind,
                "stage-probability": probability,
                "stage-position": position,
            },
        )
    bad = client.post(
        url,
        {
            "add_stage": "1",
            "stage-name": "Too sure",
            "stage-kind": "open",
            "stage-probability": 150,
            "stage-position": 3,
        },
    )
    assert bad.status_code == 422 and "less than or equal to 100" in bad.content.decode()
    stages = list(pipeline.stages.order_by("position"))
    assert [s.name for s in stages] == ["Design", "Won", "Lost"]
    client.post(
        reverse("sales:stage_reorder", args=[pipeline.pk]),
        {"stage": [stages[2].pk, stages[0].pk, stages[1].pk]},
    )
    assert [s.name for s in pipeline.stages.order_by("position")] == ["Lost", "Design", "Won"]
    partial = client.post(
        reverse("sales:stage_reorder", args=[pipeline.pk]), {"stage": [stages[0].pk]}, follow=True
    )
    assert "exactly once" in partial.content.decode()
    board = client.get(reverse("sales:board", args=[pipeline.pk])).content.decode()
    assert "board of projects" in board and "New project" in board


def test_stages_in_use_keep_their_kind_and_are_not_deleted(world):
    admin = world.user("admin")
    pipeline = make_pipeline(admin)
    make_deal(world.user("rep"), pipeline, world.companies["own"])
    first = stage(pipeline, "Qualification")
    client = _client(admin)
    changed = client.post(
        reverse("sales:stage_update", args=[first.pk]),
        {"name": "Qualification", "kind": "won", "probability": 10, "position": 0},
    )
    assert changed.status_code == 422 and "cannot change" in changed.content.decode()
    deleted = client.post(reverse("sales:stage_update", args=[first.pk]), {"delete": "1"})
    assert deleted.status_code == 422 and "move them first" in deleted.content.decode()
    assert Stage.objects.get(pk=first.pk).kind == "open"
    gone = client.post(reverse("sales:pipeline_update", args=[pipeline.pk]), {"delete": "1"})
    assert gone.status_code == 422 and Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_lost_reasons(world):
    client = _client(world.user("admin"))
    client.post(reverse("sales:lost_reason_list"), {"name": "No budget", "is_active": "on"})
    reason = LostReason.objects.get(name="No budget")
    twice = client.post(reverse("sales:lost_reason_list"), {"name": "No budget"})
    assert twice.status_code == 422
    client.post(reverse("sales:lost_reason_update", args=[reason.pk]), {"delete": "1"})
    assert not LostReason.objects.exists()


def test_a_reason_in_use_is_not_deleted(world):
    admin = world.user("admin")
    pipeline = make_pipeline(admin)
    reason = make_reason(admin)
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    from rapport.sales.services.deals import deal_move

    deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Lost"), lost_reason=reason)
    response = _client(admin).post(
        reverse("sales:lost_reason_update", args=[reason.pk]), {"delete": "1"}
    )
    assert response.status_code == 422 and "still used" in response.content.decode()


def test_only_administrators(world):
    for role in ("rep", "director", "auditor"):
        client = _client(world.user(role))
        assert client.get(reverse("sales:pipeline_list")).status_code == 404
        assert client.post(reverse("sales:lost_reason_list"), {"name": "x"}).status_code == 404
    assert not LostReason.objects.exists()
