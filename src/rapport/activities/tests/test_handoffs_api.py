"""Hand-offs in the API: the list's filters, handing over, acknowledging, returning, and
translated errors with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.accounts.services import token_create
from rapport.activities.choices import HandoffStatus
from rapport.activities.models import Handoff
from rapport.activities.services.handoffs import handoff_acknowledge, handoff_return
from rapport.activities.tests.test_handoffs_services import (
    fingerprint,
    later,
    logistics,
    rep_task,
    send,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/handoffs/"


class Api:
    def __init__(self, user, language="en"):
        self.client = Client()
        self.headers = {
            "HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}",
            "HTTP_ACCEPT_LANGUAGE": language,
        }

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url, data=None):
        return self.client.post(url, data or {}, content_type="application/json", **self.headers)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_filters_by_direction_status_overdue_and_department(world):
    dept, service = logistics(), logistics(name="Service")
    mine = send(world, dept, task=rep_task(world, title="Mine"))
    late = send(world, dept, task=rep_task(world, title="Late"))
    Handoff.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(1))
    closed = send(world, dept, task=rep_task(world, title="Returned"))
    handoff_return(actor=dept.clerk, handoff=closed, reason="Wrong address")
    onward = send(world, service, task=mine.task, actor=dept.clerk)  # logistics hands it on
    mine.refresh_from_db()

    rep, clerk = Api(world.user("rep")), Api(dept.clerk)
    assert ids(rep.get(API, direction="outgoing")) == [late.pk, mine.pk, closed.pk]  # by deadline
    assert ids(rep.get(API, direction="outgoing", status="open")) == [late.pk]
    assert ids(rep.get(API, direction="outgoing", overdue="true")) == [late.pk]
    assert ids(rep.get(API, direction="outgoing", status="returned")) == [closed.pk]
    assert ids(rep.get(API, direction="incoming")) == []  # nothing to Sales
    assert ids(clerk.get(API, direction="incoming", status="open")) == [late.pk]
    assert ids(clerk.get(API, direction="outgoing")) == [onward.pk]
    assert ids(clerk.get(API, department=service.department.pk)) == [onward.pk]
    assert ids(Api(service.clerk).get(API, direction="incoming")) == [onward.pk]
    row = rep.get(f"{API}{closed.pk}/").json()
    assert row["status"] == "returned" and row["return_reason"] == "Wrong address"
    assert row["task_title"] == "Returned" and row["to_department_name"] == "Logistics"
    listed = {r["id"]: r for r in rep.get(API).json()["results"]}
    assert listed[late.pk]["overdue"] is True and listed[closed.pk]["return_reason"]
    assert rep.get(API, status="nonsense").status_code == 400
    # Out of scope: the outsider sees none of these.
    assert ids(Api(world.user("outsider")).get(API)) == []


def test_handing_over_acknowledging_and_returning(world):
    dept = logistics()
    task = rep_task(world)
    rep, clerk = Api(world.user("rep")), Api(dept.clerk)
    response = rep.post(
        API,
        {
            "task": task.pk,
            "to_department": dept.department.pk,
            "deadline": later(10).isoformat(),
            "note": "Fragile",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "sent" and data["from_user"] == world.user("rep").pk
    handoff_id = data["id"]

    before = fingerprint()
    assert rep.post(f"{API}{handoff_id}/acknowledge/").status_code == 404  # not theirs
    assert Api(world.user("admin")).post(f"{API}{handoff_id}/acknowledge/").status_code == 404
    assert fingerprint() == before

    acknowledged = clerk.post(f"{API}{handoff_id}/acknowledge/", {"take": True})
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_by"] == dept.clerk.pk
    before = fingerprint()
    twice = Api(dept.head).post(f"{API}{handoff_id}/acknowledge/")
    assert twice.status_code == 400 and twice.json()["code"] == "already_acknowledged"
    assert fingerprint() == before

    no_reason = clerk.post(f"{API}{handoff_id}/return/", {"reason": " "})
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"]["reason"] == [
        "Say why you return the task, so the sender can act."
    ]
    assert fingerprint() == before
    returned = clerk.post(f"{API}{handoff_id}/return/", {"reason": "Wrong address"})
    assert returned.status_code == 200
    assert returned.json()["status"] == HandoffStatus.RETURNED
    assert returned.json()["return_reason"] == "Wrong address"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_department": "empty"}, "to_department"),
        ({"to_department": "own"}, "to_department"),
        ({"deadline": "past"}, "deadline"),
        ({"deadline": "not a date"}, "deadline"),
        ({"to_department": 999999}, "to_department"),
    ],
)
def test_bad_input_answers_400_with_the_field_and_writes_nothing(world, change, field):
    dept = logistics()
    empty = Department.objects.create(name="Commissioning")
    task = rep_task(world)
    body = {"task": task.pk, "to_department": dept.department.pk, "deadline": later(3).isoformat()}
    special = {
        "empty": empty.pk,
        "own": world.teams["a"].department.pk,
        "past": (timezone.now() - datetime.timedelta(hours=3)).isoformat(),
    }
    body.update({k: special.get(v, v) for k, v in change.items()})
    before = fingerprint()
    response = Api(world.user("rep")).post(API, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert fingerprint() == before


def test_errors_are_translated(world):
    dept = logistics()
    task = rep_task(world)
    response = Api(world.user("rep"), language="ru").post(
        API, {"task": task.pk, "to_department": dept.department.pk, "deadline": "soon"}
    )
    assert response.status_code == 400
    # DRF's own message, in Russian; the detail line is ours, through the same catalogue.
    assert "Неправильный формат" in response.json()["fields"]["deadline"][0]


def test_a_task_one_may_not_change_is_not_found(world):
    dept = logistics()
    task = rep_task(world)
    before = fingerprint()
    for who in ("outsider", "marketer", "auditor"):
        response = Api(world.user(who)).post(
            API,
            {"task": task.pk, "to_department": dept.department.pk, "deadline": later().isoformat()},
        )
        assert response.status_code in (403, 404)
    assert fingerprint() == before


def test_acknowledging_a_handoff_of_another_department_is_not_found(world):
    dept, other = logistics(), logistics(name="Service")
    handoff = send(world, dept)
    handoff_acknowledge(actor=dept.clerk, handoff=handoff)
    before = fingerprint()
    response = Api(other.clerk).post(f"{API}{handoff.pk}/return/", {"reason": "x"})
    assert response.status_code == 404
    assert fingerprint() == before


def test_the_list_reads_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dept = logistics()
    api = Api(world.user("rep"))

    def queries():
        api.get(API)  # the token and the user are read once per client
        with CaptureQueriesContext(connection) as captured:
            assert api.get(API).status_code == 200
        return len(captured)

    for i in range(3):
        returned = send(world, dept, task=rep_task(world, title=f"Job {i}"))
    handoff_return(actor=dept.clerk, handoff=returned, reason="Wrong address")
    few = queries()
    for i in range(3, 12):
        returned = send(world, dept, task=rep_task(world, title=f"Job {i}"))
        if i % 3 == 0:
            handoff_return(actor=dept.clerk, handoff=returned, reason="Wrong address")
    assert queries() == few
