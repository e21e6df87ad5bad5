"""Tasks in the API: CRUD through the services with ETag / If-Match, the shared filters, moves,
taking from a queue, refusals that write nothing, and a list without a query per row."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.accounts.services import token_create
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create
from rapport.core.models import ChangeRecord
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def _api(world, role):
    token = token_create(actor=world.user(role), name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _at(hours: float) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def counts():
    return Task.objects.count(), ChangeRecord.objects.count()


def _post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_task_crud_with_etags(world):
    pipeline = make_pipeline(world.user("admin"))
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"], name="Boilers")
    client = _api(world, "rep")
    response = _post(
        client,
        "/api/v1/tasks/",
        {
            "title": "Call the buyer",
            "assignee": world.user("rep").pk,
            "record_type": "sales.deal",
            "record_id": deal.pk,
            "due_at": _at(24),
            "remind_at": _at(23),
            "priority": 3,
            "checklist": [{"text": "Prices"}, {"text": "Terms", "done": True}],
        },
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["record"] == {
        "type": "sales.deal",
        "id": deal.pk,
        "name": "Boilers",
        "url": deal.get_absolute_url(),
    }
    assert task["company"] == world.companies["own"].pk and task["status"] == "open"
    assert task["checklist"][1] == {"text": "Terms", "done": True}
    assert task["author"] == world.user("rep").pk and task["overdue"] is False
    url = f"/api/v1/tasks/{task['id']}/"
    etag = client.get(url)["ETag"]
    moved = _post(client, url + "status/", {"status": "in_progress"}, HTTP_IF_MATCH=etag)
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    stale = client.patch(url, {"title": "Old"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    fresh = client.patch(
        url,
        {"title": "Call the buyer again"},
        content_type="application/json",
        HTTP_IF_MATCH=moved["ETag"],
    )
    assert fresh.status_code == 200 and fresh.json()["title"] == "Call the buyer again"
    done = _post(client, url + "status/", {"status": "done"})
    assert done.json()["completed_by"] == world.user("rep").pk
    refused = _post(client, url + "status/", {"status": "cancelled"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_move"
    assert _api(world, "outsider").get(url).status_code == 404
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412  # stale: kept
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204
    assert not Task.objects.exists()


def test_filters_shared_with_the_lists(world):
    pipeline = make_pipeline(world.user("admin"))
    rep, teammate = world.user("rep"), world.user("teammate")
    deal = make_deal(rep, pipeline, world.companies["own"], name="Boilers")
    sales = Department.objects.get(name="Sales")

    def make(title, actor, **fields):
        return task_create(actor=actor, title=title, allow_past_due=True, **fields)

    make("Late", rep, assignee=rep, due_at=timezone.now() - datetime.timedelta(days=1))
    make(
        "On the deal",
        rep,
        assignee=rep,
        record=deal,
        due_at=timezone.now() + datetime.timedelta(days=2),
    )
    make("Teammate's", teammate, assignee=teammate, company=world.companies["team"])
    make("Queued", rep, department=sales)
    client = _api(world, "head")

    def titles(query):
        response = client.get(f"/api/v1/tasks/?{query}")
        assert response.status_code == 200, response.content
        return sorted(t["title"] for t in response.json()["results"])

    assert titles("") == ["Late", "On the deal", "Queued", "Teammate's"]
    assert titles(f"assignee={rep.pk}") == ["Late", "On the deal"]
    assert titles("overdue=true") == ["Late"]
    assert titles("record_type=sales.deal") == ["On the deal"]
    assert titles(f"record_type=sales.deal&record_id={deal.pk}") == ["On the deal"]
    assert titles(f"company={world.companies['own'].pk}") == ["On the deal"]
    assert titles(f"department={sales.pk}") == ["Queued"]
    due_after = (timezone.now() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert titles(f"due_after={due_after}") == ["On the deal"]
    assert titles("status=open&is_open=true&q=teammate") == ["Teammate's"]
    bad = client.get("/api/v1/tasks/?record_type=nothing.here")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    # The queue's people take a queued task; a second taker is told who was faster.
    queued = Task.objects.get(title="Queued")
    # Marketing's people see a task waiting in their queue, not the deal it is about by name.
    marketing = Department.objects.get(name="Marketing")
    handed = make("Case study", rep, department=marketing, record=deal)
    seen = _api(world, "marketer").get(f"/api/v1/tasks/{handed.pk}/").json()["record"]
    assert seen == {"type": "sales.deal", "id": deal.pk, "name": None, "url": None}
    taken = _post(_api(world, "teammate"), f"/api/v1/tasks/{queued.pk}/take/", {})
    assert taken.status_code == 200 and taken.json()["assignee"] == teammate.pk
    again = _post(_api(world, "rep"), f"/api/v1/tasks/{queued.pk}/take/", {})
    assert again.status_code in (400, 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_at": "PAST"}, "due_at"),
        ({"due_at": "SOON", "remind_at": "LATER"}, "remind_at"),
        ({"title": ""}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"checklist": "not a list"}, "checklist"),
        ({"checklist": [{"text": "x" * 201}]}, "checklist"),
        ({"checklist": [{"text": f"{i}"} for i in range(51)]}, "checklist"),
        ({"checklist": [{"text": "nul\x00"}]}, "checklist"),
        ({"assignee": None, "department": "EMPTY"}, "department"),
        ({"record_type": "sales.deal"}, "record_id"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(world, body, field):
    empty = Department.objects.create(name="Logistics")
    values = {"PAST": _at(-5), "SOON": _at(2), "LATER": _at(3), "EMPTY": empty.pk}
    data = {"title": "Call", "assignee": world.user("rep").pk, "due_at": _at(5)}
    data.update({k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()})
    before = counts()
    response = _post(_api(world, "rep"), "/api/v1/tasks/", data)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid" and field in answer["fields"], answer
    assert counts() == before


def test_the_api_list_does_not_query_per_row(world, monkeypatch):
    from rapport.core.models import SiteConfiguration

    # Each request reads the site configuration from a memo of a few seconds; making the rows
    # takes longer, so keep the memo for the test (it is not per-row work).
    monkeypatch.setattr(SiteConfiguration, "MEMO_SECONDS", 3600)
    pipeline = make_pipeline(world.user("admin"))
    rep = world.user("rep")
    client = _api(world, "rep")

    def add(start, count):
        for i in range(start, start + count):
            deal = make_deal(rep, pipeline, world.companies["own"], name=f"D{i}")
            task_create(actor=rep, title=f"Deal {i}", assignee=rep, record=deal)
            task_create(actor=rep, title=f"Person {i}", assignee=rep, record=world.people["own"])
            task_create(
                actor=rep, title=f"Company {i}", assignee=rep, company=world.companies["own"]
            )

    add(0, 2)
    client.get("/api/v1/tasks/")

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/tasks/?limit=100")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    few, rows = measure()
    add(10, 15)
    many, more_rows = measure()
    assert many == few and more_rows > rows
