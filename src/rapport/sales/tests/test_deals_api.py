"""Deals, pipelines and reasons for losing in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.accounts.services import token_create
from rapport.sales.models import Deal, DealStageChange, Pipeline, Stage
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage


@pytest.fixture
def pipeline(world):
    return make_pipeline(world.user("admin"))


def _api(world, role):
    token = token_create(actor=world.user(role), name="test")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_pipelines_read_for_all_write_for_admins(world, pipeline):
    rep = _api(world, "rep")
    data = rep.get("/api/v1/pipelines/").json()
    assert data["results"][0]["name"] == "New business"
    assert [s["name"] for s in data["results"][0]["stages"]][:2] == ["Qualification", "Proposal"]
    body = {"name": "Equipment", "deal_noun": "project", "stages": [{"name": "Design"}]}
    assert rep.post("/api/v1/pipelines/", body, content_type="application/json").status_code == 403
    admin = _api(world, "admin")
    response = admin.post(
        "/api/v1/pipelines/",
        {
            **body,
            "stages": [
                {"name": "Design", "probability": 20},
                {"name": "Won", "kind": "won", "probability": 100},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert [s["name"] for s in created["stages"]] == ["Design", "Won"]
    assert created["deal_noun"] == "project"
    assert admin.delete(f"/api/v1/pipelines/{created['id']}/").status_code == 204
    assert not Stage.objects.filter(pipeline_id=created["id"]).exists()


def test_a_pipeline_with_deals_is_not_deleted(world, pipeline):
    make_deal(world.user("rep"), pipeline, world.companies["own"])
    response = _api(world, "admin").delete(f"/api/v1/pipelines/{pipeline.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "in_use"
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_deal_crud_and_move(world, pipeline):
    client = _api(world, "rep")
    response = client.post(
        "/api/v1/deals/",
        {
            "name": "API deal",
            "pipeline": pipeline.pk,
            "company": world.companies["own"].pk,
            "amount": "10.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["stage_name"] == "Qualification" and deal["status"] == "open"
    etag = client.get(f"/api/v1/deals/{deal['id']}/")["ETag"]
    moved = client.post(
        f"/api/v1/deals/{deal['id']}/move/",
        {"stage": stage(pipeline, "Won").pk},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "won"
    assert moved.json()["closed_at"]
    stale = client.patch(
        f"/api/v1/deals/{deal['id']}/",
        {"amount": "20.00"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    history = client.get(f"/api/v1/deals/{deal['id']}/stage-history/").json()
    assert [h["stage_name"] for h in history] == ["Qualification", "Won"]
    listed = client.get(f"/api/v1/deals/?pipeline={pipeline.pk}&status=won&ordering=-amount").json()
    assert [d["name"] for d in listed["results"]] == ["API deal"]
    assert client.delete(f"/api/v1/deals/{deal['id']}/").status_code == 204


def test_api_bad_input(world, pipeline):
    client = _api(world, "rep")
    other = make_pipeline(world.user("admin"), name="Renewals")
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"])
    before = (Deal.objects.count(), DealStageChange.objects.count())
    negative = client.post(
        "/api/v1/deals/",
        {
            "name": "x",
            "pipeline": pipeline.pk,
            "company": world.companies["own"].pk,
            "amount": "-1",
        },
        content_type="application/json",
    )
    assert negative.status_code == 400 and "amount" in negative.json()["fields"]
    nobody = client.post(
        "/api/v1/deals/", {"name": "x", "pipeline": pipeline.pk}, content_type="application/json"
    )
    assert nobody.status_code == 400 and "company" in nobody.json()["fields"]
    wrong = client.post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": stage(other, "Proposal").pk},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert "belongs to the pipeline" in wrong.json()["fields"]["stage"][0]
    lost = client.post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": stage(pipeline, "Lost").pk},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="lv",
    )
    assert lost.status_code == 400 and "lost_reason" in lost.json()["fields"]
    assert (Deal.objects.count(), DealStageChange.objects.count()) == before
    reason = make_reason(world.user("admin"))
    ok = client.post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": stage(pipeline, "Lost").pk, "lost_reason": reason.pk},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["lost_reason"] == reason.pk


def test_lists_are_scoped(world, pipeline):
    make_deal(world.user("rep"), pipeline, world.companies["own"], name="Rep's")
    make_deal(world.user("outsider"), pipeline, world.companies["foreign"], name="Outsider's")

    def names(role):
        return {d["name"] for d in _api(world, role).get("/api/v1/deals/").json()["results"]}

    assert names("rep") == {"Rep's"} and names("outsider") == {"Outsider's"}
    assert names("auditor") == {"Rep's", "Outsider's"} and names("marketer") == set()
