"""Proposals through the API: CRUD, lines, revisions and ETags, decisions, PDF, errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rapport.orders.models import Order, Proposal, ProposalLine
from rapport.orders.tests.test_proposals import make_catalogue, make_deal


@pytest.fixture
def api(world):
    catalogue = make_catalogue()
    deal = make_deal(world)
    client = APIClient()
    client.force_authenticate(world.users["rep"])
    return client, deal, catalogue


def counts():
    return (Proposal.objects.count(), ProposalLine.objects.count(), Order.objects.count())


def test_create_add_lines_and_accept(api, world):
    client, deal, cat = api
    response = client.post("/api/v1/proposals/", {"deal": deal.pk, "title": "API offer"})
    assert response.status_code == 201, response.json()
    data = response.json()
    pid, revision = data["id"], data["revision"]
    assert data["number"].startswith("Q-") and data["currency"] == "EUR"
    response = client.post(
        f"/api/v1/proposals/{pid}/lines/",
        {"product": cat["product"].pk, "quantity": "10", "revision": revision},
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert line["unit_price"] == "90.00" and line["net_amount"] == "900.00"
    detail = client.get(f"/api/v1/proposals/{pid}/")
    assert detail.json()["total"] == "1089.00" and detail["ETag"]
    # PATCH a line with the proposal's ETag.
    response = client.patch(
        f"/api/v1/proposal-lines/{line['id']}/",
        {"discount_percent": "5"},
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert client.get(f"/api/v1/proposals/{pid}/").json()["net_total"] == "855.00"
    response = client.post(f"/api/v1/proposals/{pid}/accept/", {})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["proposal"]["status"] == "accepted"
    assert Order.objects.get(pk=body["order"]).proposal_id == pid
    again = client.post(f"/api/v1/proposals/{pid}/accept/", {})
    assert again.status_code == 400 and again.json()["code"] == "already_accepted"


def test_stale_revision_and_etag_answer_412(api, world):
    client, deal, _ = api
    pid = client.post("/api/v1/proposals/", {"deal": deal.pk}).json()["id"]
    etag = client.get(f"/api/v1/proposals/{pid}/")["ETag"]
    assert (
        client.patch(f"/api/v1/proposals/{pid}/", {"title": "First", "revision": 1}).status_code
        == 200
    )
    before = counts()
    stale = client.patch(f"/api/v1/proposals/{pid}/", {"title": "Second", "revision": 1})
    assert stale.status_code == 412 and "Reload" in stale.json()["detail"]
    stale = client.post(
        f"/api/v1/proposals/{pid}/lines/",
        {"description": "x", "unit_price": "1"},
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    assert counts() == before and Proposal.objects.get(pk=pid).title == "First"


def test_bad_lines_are_refused_with_clear_errors(api, world):
    client, deal, cat = api
    pid = client.post("/api/v1/proposals/", {"deal": deal.pk}).json()["id"]
    before = counts()
    for payload, field, text in (
        ({"product": cat["product"].pk, "quantity": "-1"}, "quantity", "greater than zero"),
        ({"product": cat["product"].pk, "quantity": "0"}, "quantity", "greater than zero"),
        (
            {"product": cat["product"].pk, "discount_percent": "150"},
            "discount_percent",
            "between 0 and 100",
        ),
        ({"description": "Free text"}, "unit_price", "price"),
    ):
        response = client.post(f"/api/v1/proposals/{pid}/lines/", payload)
        assert response.status_code == 400, response.json()
        assert text in " ".join(response.json()["fields"][field]), response.json()
    usd = client.patch(f"/api/v1/proposals/{pid}/", {"price_list": cat["usd"].pk})
    assert usd.status_code == 400 and "USD" in usd.json()["fields"]["price_list"][0]
    assert counts() == before


def test_translated_error(api, world):
    client, deal, cat = api
    pid = client.post("/api/v1/proposals/", {"deal": deal.pk}).json()["id"]
    response = client.post(
        f"/api/v1/proposals/{pid}/lines/",
        {"product": cat["product"].pk, "quantity": "0"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["quantity"]


def test_discount_approval_flow(api, world):
    client, deal, cat = api
    pid = client.post("/api/v1/proposals/", {"deal": deal.pk}).json()["id"]
    client.post(
        f"/api/v1/proposals/{pid}/lines/", {"product": cat["product"].pk, "discount_percent": "20"}
    )
    assert client.get(f"/api/v1/proposals/{pid}/").json()["discount_approval"] == "pending"
    send = client.post(f"/api/v1/proposals/{pid}/send/", {"person": world.people["own"].pk})
    assert send.status_code == 400 and send.json()["code"] == "approval_pending"
    mine = client.post(f"/api/v1/proposals/{pid}/approve-discount/", {"decision": "approve"})
    assert mine.status_code == 403
    head = APIClient()
    head.force_authenticate(world.users["head"])
    ok = head.post(f"/api/v1/proposals/{pid}/approve-discount/", {"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["discount_approval"] == "approved"
    send = client.post(f"/api/v1/proposals/{pid}/send/", {"person": world.people["own"].pk})
    assert send.status_code == 200 and send.json()["status"] == "sent"
    # A sent proposal is not edited: a new version is.
    lines = client.get(f"/api/v1/proposals/{pid}/lines/").json()
    edit = client.patch(f"/api/v1/proposal-lines/{lines[0]['id']}/", {"quantity": "3"})
    assert edit.status_code == 400 and edit.json()["code"] == "not_draft"
    new = client.post(f"/api/v1/proposals/{pid}/new-version/", {})
    assert new.status_code == 201 and new.json()["version"] == 2
    assert client.get(f"/api/v1/proposals/{pid}/").json()["status"] == "superseded"
    reject = client.post(f"/api/v1/proposals/{pid}/reject/", {})
    assert reject.status_code == 400


def test_pdf_and_filters(api, world):
    client, deal, cat = api
    pid = client.post("/api/v1/proposals/", {"deal": deal.pk}).json()["id"]
    client.post(f"/api/v1/proposals/{pid}/lines/", {"product": cat["product"].pk})
    response = client.get(f"/api/v1/proposals/{pid}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    listed = client.get("/api/v1/proposals/", {"status": "draft", "deal": deal.pk}).json()
    assert [p["id"] for p in listed["results"]] == [pid]
    assert client.get("/api/v1/proposals/", {"status": "sent"}).json()["results"] == []
    assert client.delete(f"/api/v1/proposals/{pid}/").status_code == 204
    assert not Proposal.objects.filter(pk=pid).exists()


def test_foreign_proposals_are_invisible(api, world):
    client, _, _ = api
    foreign = make_deal(world, "foreign")
    outsider = APIClient()
    outsider.force_authenticate(world.users["outsider"])
    pid = outsider.post("/api/v1/proposals/", {"deal": foreign.pk}).json()["id"]
    assert client.get(f"/api/v1/proposals/{pid}/").status_code == 404
    assert client.post(f"/api/v1/proposals/{pid}/accept/", {}).status_code == 404
    assert client.post("/api/v1/proposals/", {"deal": foreign.pk}).status_code == 404
