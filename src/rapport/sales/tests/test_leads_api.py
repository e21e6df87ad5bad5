"""The lead API: CRUD, qualify, disqualify, convert, assign — errors in one format (the import:
test_leads_import.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rapport.accounts.services import token_create
from rapport.contacts.models import Company, Person
from rapport.core.models import ChangeRecord
from rapport.sales.choices import StageKind
from rapport.sales.models import Deal, DistributionRule, Lead, Pipeline, Stage


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(actor=user, name='t')[1]}")
    return client


def counts():
    return tuple(m.objects.count() for m in (Lead, Company, Person, Deal, ChangeRecord))


@pytest.fixture
def pipeline(db):
    pipeline = Pipeline.objects.create(name="Equipment", currency="EUR")
    Stage.objects.create(pipeline=pipeline, name="Demo", position=1)
    Stage.objects.create(pipeline=pipeline, name="Won", position=2, kind=StageKind.WON)
    return pipeline


def test_create_read_update_delete(world):
    rep = world.users["rep"]
    client = api(rep)
    response = client.post(
        "/api/v1/leads/",
        {
            "first_name": "Olga",
            "last_name": "Petrova",
            "email": "OLGA@example.com",
            "utm_source": "google",
            "owner": rep.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["email"], data["source"], data["status"], data["owner"]) == (
        "olga@example.com",
        "api",
        "new",
        rep.pk,
    )
    url = f"/api/v1/leads/{data['id']}/"
    etag = client.get(url)["ETag"]
    patched = client.patch(url, {"campaign": "Spring"}, format="json", HTTP_IF_MATCH=etag)
    assert patched.status_code == 200 and patched.json()["campaign"] == "Spring"
    stale = client.patch(url, {"campaign": "Old"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    listed = client.get("/api/v1/leads/?q=petrova").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]
    assert client.get("/api/v1/leads/?status=converted").json()["count"] == 0
    assert client.delete(url).status_code == 204
    assert not Lead.objects.exists()


def test_bad_input_answers_in_the_error_format_and_writes_nothing(world):
    client = api(world.users["rep"])
    before = counts()
    response = client.post("/api/v1/leads/", {"last_name": "Nobody", "email": "bad"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "email" in body["fields"]
    response = client.post("/api/v1/leads/", {"company_name": "Quiet Ltd"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    response = client.post(
        "/api/v1/leads/", {"last_name": "Nul\x00l", "phone": "+37126000999"}, format="json"
    )
    assert response.status_code == 400
    assert counts() == before


def test_a_lead_the_rules_give_to_another_team_answers_with_its_id_only(world):
    DistributionRule.objects.create(name="All to B", team=world.teams["b"])
    response = api(world.users["rep"]).post(
        "/api/v1/leads/", {"last_name": "Sent", "email": "sent@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert set(response.json()) == {"id"}
    assert Lead.objects.get().owner == world.users["outsider"]


def test_qualify_disqualify_assign_and_convert(world, pipeline):
    rep, head = world.users["rep"], world.users["head"]
    lead = Lead.objects.create(
        last_name="Queue",
        email="queue@example.com",
        company_name="Queue Parts SIA",
        team=world.teams["a"],
    )
    client = api(rep)
    url = f"/api/v1/leads/{lead.pk}/"
    response = client.post(url + "disqualify/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = client.post(url + "disqualify/", {"reason": "no_budget"}, format="json")
    assert response.json()["status"] == "disqualified"
    assert client.post(url + "qualify/").json()["status"] == "qualified"
    # Only a head (or a director) assigns.
    assert client.post(url + "assign/", {"user": rep.pk}, format="json").status_code == 404
    response = api(head).post(url + "assign/", {"user": rep.pk}, format="json")
    assert response.status_code == 200 and response.json()["owner"] == rep.pk
    response = client.post(url + "convert/", {"pipeline": pipeline.pk, "amount": "250.50"})
    assert response.status_code == 200, response.json()
    deal = Deal.objects.get(pk=response.json()["deal"])
    assert (deal.amount, deal.stage.name, deal.owner, deal.company.name) == (
        250.5,
        "Demo",
        rep,
        "Queue Parts SIA",
    )
    assert response.json()["lead"]["status"] == "converted"
    assert response.json()["lead"]["deal"] == deal.pk
    before = counts()
    again = client.post(url + "convert/", {"pipeline": pipeline.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "converted"
    assert client.post(url + "qualify/").status_code == 400
    assert counts() == before


def test_convert_offers_the_existing_customer_with_409(world, pipeline):
    rep = world.users["rep"]
    lead = Lead.objects.create(
        last_name="Teamlast",
        first_name="Teamfirst",
        email="team.person@example.com",
        owner=rep,
        team=world.teams["a"],
    )
    client = api(rep)
    before = counts()
    response = client.post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {"pipeline": pipeline.pk, "confirm_new": True},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicates" and body["blocking"] is True
    assert body["people"][0]["id"] == world.people["team"].pk
    assert counts() == before
    foreign = world.people["foreign"].pk  # exists, but not for this rep
    response = client.post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {"pipeline": pipeline.pk, "person": foreign},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()["fields"]
    response = client.post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {"pipeline": pipeline.pk, "person": world.people["team"].pk},
        format="json",
    )
    assert response.status_code == 200
    assert Deal.objects.get().person == world.people["team"]
    assert Person.objects.count() == before[2]


def test_list_filters_and_sorts(world):
    import datetime

    from django.utils import timezone

    rep, teammate = world.users["rep"], world.users["teammate"]
    old = Lead.objects.create(
        last_name="Old", email="old@example.com", owner=rep, team=world.teams["a"], source="event"
    )
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    Lead.objects.create(
        last_name="Fresh",
        company_name="Zeta Labs",
        email="fresh@example.com",
        owner=teammate,
        team=world.teams["a"],
        campaign="Autumn",
    )
    Lead.objects.create(last_name="Queued", phone="+37126000111", team=world.teams["a"])
    client = api(world.users["head"])

    def names(query):
        return [r["last_name"] for r in client.get(f"/api/v1/leads/?{query}").json()["results"]]

    assert names(f"owner={rep.pk}") == ["Old"]
    assert names("unassigned=true") == ["Queued"]
    assert names("source=event") == ["Old"]
    assert names("campaign=Autumn") == ["Fresh"]
    assert names(f"team={world.teams['a'].pk}&ordering=last_name") == ["Fresh", "Old", "Queued"]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert sorted(names(f"created_after={since}")) == ["Fresh", "Queued"]
    assert names("q=zeta") == ["Fresh"]
    assert names("ordering=-created_at")[-1] == "Old"
    page = login_page(world.users["head"], "/leads/?sort=company_name&status=new")
    assert page.index("Zeta Labs") > 0


def login_page(user, url) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()
