"""Templates with nested stages and running processes through the API, with their errors."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.services import token_create
from rapport.processes.models import ProcessInstance, ProcessStage, ProcessStageTemplate
from rapport.processes.services.instances import process_start
from rapport.processes.tests.factories import make_deal, make_template, start_on_deal


class Api:
    def __init__(self, user):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}

    def get(self, url):
        return self.client.get(url, **self.auth)

    def post(self, url, data=None):
        return self.client.post(url, data or {}, content_type="application/json", **self.auth)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", **self.auth)

    def put(self, url, data):
        return self.client.put(url, data, content_type="application/json", **self.auth)

    def delete(self, url):
        return self.client.delete(url, **self.auth)


@pytest.fixture
def head_api(world):
    return Api(world.users["head"])


def test_templates_with_nested_stages(world, head_api):
    body = {
        "name": "Equipment delivery and commissioning",
        "record_type": "orders.order",
        "stages": [
            {"name": "Delivery", "executor_department": world.teams["a"].department.pk},
            {
                "name": "Commissioning",
                "executor_role": "support",
                "duration_value": 6,
                "duration_unit": "hours",
                "checklist": ["Test run"],
                "documents": ["Commissioning certificate"],
                "is_skippable": False,
            },
        ],
    }
    response = head_api.post("/api/v1/process-templates/", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert [s["name"] for s in created["stages"]] == ["Delivery", "Commissioning"]
    assert created["stages"][1]["documents"] == ["Commissioning certificate"]
    url = f"/api/v1/process-templates/{created['id']}/"
    first = created["stages"][0]
    response = head_api.patch(
        url,
        {
            "stages": [
                {"name": "Acceptance", "executor_role": "sales_rep"},
                {"id": first["id"], "name": "Delivery", "executor_role": "head"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert [(s["name"], s["position"]) for s in response.json()["stages"]] == [
        ("Acceptance", 0),
        ("Delivery", 1),
    ]
    assert response.json()["stages"][1]["id"] == first["id"]
    assert ProcessStageTemplate.objects.filter(template_id=created["id"]).count() == 2
    # A stage without an executor: a clear, translated error, nothing changed.
    response = head_api.patch(url, {"stages": [{"name": "Nobody"}]})
    assert response.status_code == 400
    assert response.json()["fields"]["stages"] == [
        "Stage 1: Choose who carries out the stage: a role, a department or a person."
    ]
    assert ProcessStageTemplate.objects.filter(template_id=created["id"]).count() == 2
    response = Api(world.users["rep"]).post("/api/v1/process-templates/", body)
    assert response.status_code == 403
    assert Api(world.users["rep"]).get(url).status_code == 200
    assert head_api.delete(url).status_code == 204


def test_start_list_skip_reschedule_cancel(world):
    admin = world.users["admin"]
    template = make_template(admin, controller=world.users["head"])
    deal = make_deal(world)
    api = Api(world.users["rep"])
    response = api.post(
        "/api/v1/processes/",
        {"template": template.pk, "record_type": "sales.deal", "record_id": deal.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["record"] == {
        "type": "sales.deal",
        "id": deal.pk,
        "name": deal.name,
        "url": deal.get_absolute_url(),
    }
    assert [s["status"] for s in body["stages"]] == ["active", "pending", "pending", "pending"]
    url = f"/api/v1/processes/{body['id']}/"
    first = body["stages"][0]
    # Skipping without a reason: 400 with the reason's message; nothing changes.
    response = api.post(f"{url}stages/{first['id']}/skip/", {})
    assert response.status_code == 400
    assert response.json()["fields"] == {"reason": ["Give the reason for skipping this stage."]}
    assert ProcessStage.objects.get(pk=first["id"]).status == "active"
    response = api.post(f"{url}stages/{first['id']}/skip/", {"reason": "Known customer"})
    assert response.status_code == 200
    stages = response.json()["stages"]
    assert stages[0]["status"] == "skipped" and stages[0]["is_deviation"] is True
    assert stages[1]["status"] == "active"
    # The schedule: a new end for a pending stage; a finished stage is refused.
    end = timezone.now() + datetime.timedelta(days=30)
    response = api.patch(f"{url}stages/{stages[2]['id']}/", {"planned_end": end.isoformat()})
    assert response.status_code == 200, response.content
    response = api.patch(f"{url}stages/{first['id']}/", {"planned_end": end.isoformat()})
    assert response.status_code == 400 and response.json()["code"] == "finished"
    # Lists filter like the dashboard.
    listed = api.get(f"/api/v1/processes/?template={template.pk}&status=running").json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]
    assert api.get("/api/v1/processes/?overdue=true").json()["count"] == 0
    response = api.post(f"{url}cancel/", {"reason": "Lost the deal"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(f"{url}cancel/", {}).json()["code"] == "not_running"


def test_start_refusals(world):
    admin = world.users["admin"]
    template = make_template(admin)
    api = Api(world.users["rep"])
    foreign = make_deal(world, "foreign")
    response = api.post(
        "/api/v1/processes/",
        {"template": template.pk, "record_type": "sales.deal", "record_id": foreign.pk},
    )
    assert response.status_code == 404
    from tests.app_rules.orders_documents import make_order

    order = make_order(world)
    response = api.post(
        "/api/v1/processes/",
        {"template": template.pk, "record_type": "orders.order", "record_id": order.pk},
    )
    assert response.status_code == 400
    assert response.json()["fields"]["template"] == [
        "The process “Typical sales model” applies to: deal. It cannot be started on this order."
    ]
    deal = make_deal(world)
    response = api.post(
        "/api/v1/processes/",
        {
            "template": template.pk,
            "record_type": "sales.deal",
            "record_id": deal.pk,
            "stages": [
                {
                    "position": 1,
                    "planned_start": "2030-01-02T10:00:00Z",
                    "planned_end": "2030-01-01T10:00:00Z",
                }
            ],
        },
    )
    assert response.status_code == 400
    assert not ProcessInstance.objects.exists()
    # The auditor reads but starts nothing.
    auditor = Api(world.users["auditor"])
    response = auditor.post(
        "/api/v1/processes/",
        {"template": template.pk, "record_type": "sales.deal", "record_id": deal.pk},
    )
    assert response.status_code == 403


def test_list_does_not_query_per_row(world):
    template = make_template(world.users["admin"])
    api = Api(world.users["head"])
    start_on_deal(world, template=template)

    def count():
        api.get("/api/v1/processes/")
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/processes/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(5):
        process_start(
            actor=world.users["teammate"],
            template=template,
            record=make_deal(world, "team", name=f"Deal {i}"),
        )
    assert count() == few
    assert api.get("/api/v1/processes/").json()["count"] == 6
