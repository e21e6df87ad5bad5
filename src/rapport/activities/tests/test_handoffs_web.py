"""The hand-off screens: the list's tabs, handing a task over, acknowledging, returning, the
hand-off's page, and the hand-offs on a record's card and history."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.activities.choices import HandoffStatus
from rapport.activities.models import Handoff
from rapport.activities.services.handoffs import (
    claim_due_escalations,
    handoff_acknowledge,
    handoff_return,
)
from rapport.activities.services.tasks import task_create
from rapport.activities.tests.test_handoffs_services import (
    fingerprint,
    later,
    logistics,
    rep_task,
    send,
)
from rapport.activities.views.handoffs import handoffs_section

pytestmark = pytest.mark.django_db

LIST = "/handoffs/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_incoming_lists_waiting_first_and_marks_the_overdue(world):
    dept = logistics()
    acknowledged = send(world, dept, task=rep_task(world, title="Acknowledged one"))
    handoff_acknowledge(actor=dept.head, handoff=acknowledged)
    waiting = send(world, dept, task=rep_task(world, title="Waiting one"), deadline=later(48))
    late = send(world, dept, task=rep_task(world, title="Late one"))
    Handoff.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=3))
    returned = send(world, dept, task=rep_task(world, title="Returned one"))
    handoff_return(actor=dept.clerk, handoff=returned, reason="Wrong address")

    response = client_for(dept.clerk).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["tab"] == "incoming"
    titles = [row.handoff.task.title for row in response.context["rows"]]
    assert titles == ["Late one", "Waiting one", "Acknowledged one"]  # closed ones filtered out
    assert f'id="handoff-{late.pk}" class="table-danger handoff-overdue"' in body
    assert f'id="handoff-{waiting.pk}" class=""' in body
    # The clerk may acknowledge the waiting ones and return the open ones.
    assert reverse("activities:handoff_acknowledge", args=[waiting.pk]) in body
    assert reverse("activities:handoff_acknowledge", args=[acknowledged.pk]) not in body
    assert reverse("activities:handoff_return", args=[acknowledged.pk]) in body
    # The badge on the tab counts what waits for acknowledgement.
    assert response.context["waiting"] == 2
    everything = client_for(dept.clerk).get(LIST, {"tab": "incoming", "status": "returned"})
    assert [r.handoff for r in everything.context["rows"]] == [returned]


def test_the_sender_sees_where_each_handoff_stands(world):
    dept = logistics()
    acknowledged = send(world, dept, task=rep_task(world, title="Acknowledged one"))
    handoff_acknowledge(actor=dept.clerk, handoff=acknowledged)
    returned = send(world, dept, task=rep_task(world, title="Returned one"))
    handoff_return(actor=dept.clerk, handoff=returned, reason="Wrong address")
    escalated = send(world, dept, task=rep_task(world, title="Escalated one"))
    Handoff.objects.filter(pk=escalated.pk).update(deadline=timezone.now() - datetime.timedelta(1))
    claim_due_escalations()

    response = client_for(world.user("rep")).get(LIST, {"tab": "sent"})
    assert response.status_code == 200
    assert [name for name, _label in response.context["tabs"]] == ["incoming", "sent"]
    body = response.content.decode()
    acknowledged.refresh_from_db()
    when = timezone.localtime(acknowledged.acknowledged_at).strftime("%m/%d/%Y")
    assert "by Logistics.clerk Tester on " + when in body
    assert "Wrong address" in body
    assert "Escalated to Logistics.head Tester on" in body
    # The rep answers nothing here: no acknowledge or return buttons.
    assert "/acknowledge/" not in body and "/return/" not in body


def test_heads_have_their_departments_tab_and_the_escalation_without_head_shows(world):
    dept = logistics(head=False)
    handoff = send(world, dept)
    Handoff.objects.filter(pk=handoff.pk).update(deadline=timezone.now() - datetime.timedelta(1))
    claim_due_escalations()
    head = world.user("head")  # head of Sales, the sending department
    response = client_for(head).get(LIST, {"tab": "department"})
    assert [name for name, _label in response.context["tabs"]] == [
        "incoming",
        "sent",
        "department",
    ]
    assert [r.handoff for r in response.context["rows"]] == [handoff]
    assert "Logistics has no head, so its members and the sender were told" in (
        response.content.decode()
    )
    # A director sees all of them.
    director = client_for(world.user("director")).get(LIST)
    assert director.context["tab"] == "sent"
    everything = client_for(world.user("director")).get(LIST, {"tab": "all"})
    assert [r.handoff for r in everything.context["rows"]] == [handoff]


def test_handing_a_task_over_from_the_form(world):
    dept = logistics()
    task = rep_task(world)
    rep = client_for(world.user("rep"))
    url = reverse("activities:handoff_create")
    page = rep.get(url, {"task": task.pk})
    assert page.status_code == 200
    departments = list(page.context["form"].fields["to_department"].queryset)
    assert world.teams["a"].department not in departments and dept.department in departments
    assert rep.get(url, {"task": "999999"}).status_code == 404
    assert client_for(world.user("outsider")).get(url, {"task": task.pk}).status_code == 404
    assert client_for(world.user("auditor")).get(url, {"task": task.pk}).status_code == 404

    deadline = later(26)
    response = rep.post(
        url,
        {
            "task": task.pk,
            "to_department": dept.department.pk,
            "deadline": local_input(deadline),
            "note": "Call before you come",
        },
        follow=True,
    )
    handoff = Handoff.objects.get()
    assert response.redirect_chain[-1][0] == reverse("activities:handoff_detail", args=[handoff.pk])
    assert "Handed over to Logistics. Its members have been told." in response.content.decode()
    assert handoff.note == "Call before you come"
    assert local_input(handoff.deadline) == local_input(deadline)


@pytest.mark.parametrize(
    ("department", "deadline", "message"),
    [
        ("empty", 5, "Commissioning has no members: nobody would receive the hand-off."),
        ("logistics", -5, "The deadline is in the past. Choose a time from now on."),
        ("", 5, "This field is required."),
    ],
)
def test_bad_input_in_the_form_is_shown_and_nothing_is_written(
    world, department, deadline, message
):
    dept = logistics()
    empty = Department.objects.create(name="Commissioning")
    task = rep_task(world)
    choice = {"empty": empty.pk, "logistics": dept.department.pk, "": ""}[department]
    before = fingerprint()
    response = client_for(world.user("rep")).post(
        reverse("activities:handoff_create"),
        {"task": task.pk, "to_department": choice, "deadline": local_input(later(deadline))},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert fingerprint() == before


def test_acknowledging_from_the_list(world):
    dept = logistics()
    handoff = send(world, dept)
    url = reverse("activities:handoff_acknowledge", args=[handoff.pk])
    before = fingerprint()
    assert client_for(world.user("rep")).post(url).status_code == 404
    assert client_for(world.user("admin")).post(url).status_code == 404
    assert client_for(world.user("auditor")).post(url).status_code == 404
    assert fingerprint() == before

    clerk = client_for(dept.clerk)
    response = clerk.post(url, {"next": f"{LIST}?tab=incoming", "take": "1"}, follow=True)
    assert response.redirect_chain[0][0] == f"{LIST}?tab=incoming"
    # The clerk reads Russian.
    assert "Подтверждено: Deliver the pump. Пользователь Rep Tester уведомлен." in (
        response.content.decode()
    )
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACKNOWLEDGED
    assert handoff.task.assignee == dept.clerk

    before = fingerprint()
    again = client_for(dept.head).post(url, follow=True)
    # The head reads Latvian.
    assert "Logistics.clerk Tester jau apstiprināja šo nodošanu" in (again.content.decode())
    assert fingerprint() == before


def test_returning_asks_for_a_reason(world):
    dept = logistics()
    handoff = send(world, dept)
    url = reverse("activities:handoff_return", args=[handoff.pk])
    assert client_for(world.user("rep")).get(url).status_code == 404
    clerk = client_for(dept.clerk)
    assert clerk.get(url).status_code == 200
    before = fingerprint()
    response = clerk.post(url, {"reason": "  "})
    assert response.status_code == 422
    assert "Укажите, почему вы возвращаете задачу" in response.content.decode()
    assert fingerprint() == before
    response = clerk.post(url, {"reason": "Not ours: ask service", "next": LIST}, follow=True)
    assert response.redirect_chain[0][0] == LIST
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.RETURNED
    assert "Задача снова у пользователя Rep Tester" in response.content.decode()


def test_the_handoff_page_shows_its_history(world):
    dept = logistics()
    handoff = send(world, dept)
    handoff_acknowledge(actor=dept.clerk, handoff=handoff)
    url = reverse("activities:handoff_detail", args=[handoff.pk])
    response = client_for(world.user("rep")).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Two pallets, ramp at gate 3." in body
    assert len(response.context["records"]) == 2  # handed over, acknowledged
    assert "acknowledged by" in body
    assert "Own Customer SIA" in body  # the rep sees the customer the task is about
    # The clerk sees the hand-off, but not the customer's name (they do not see the customer).
    clerk_page = client_for(dept.clerk).get(url).content.decode()
    assert "Two pallets" in clerk_page and "Own Customer SIA" not in clerk_page
    assert client_for(world.user("outsider")).get(url).status_code == 404


def test_a_deal_shows_its_handoffs_in_its_history_and_section(world, rf):
    from rapport.sales.tests.deals_factories import make_deal, make_pipeline

    dept = logistics()
    rep = world.user("rep")
    deal = make_deal(rep, make_pipeline(world.user("admin")), world.companies["own"], name="Pumps")
    task = task_create(actor=rep, title="Deliver the pumps", assignee=rep, record=deal)
    handoff = send(world, dept, task=task)
    handoff_acknowledge(actor=dept.clerk, handoff=handoff)

    card = client_for(rep).get(deal.get_absolute_url())
    changes = [c.object_repr for c in card.context["changes"] if c.content_type.model == "handoff"]
    assert changes == ["Deliver the pumps → Logistics"] * 2  # handed over, acknowledged

    request = rf.get(deal.get_absolute_url())
    request.user = rep
    html = handoffs_section(request, deal, can_change=True)
    assert f'id="card-handoff-{handoff.pk}"' in html and "Deliver the pumps" in html
    request.user = world.user("outsider")
    assert handoffs_section(request, deal, can_change=False) == ""


def test_a_customers_timeline_shows_the_handoff(world):
    dept = logistics()
    send(world, dept)
    card = client_for(world.user("rep")).get(world.companies["own"].get_absolute_url())
    assert "Deliver the pump → Logistics" in card.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(world):
    dept = logistics()

    def queries():
        client = client_for(dept.clerk)
        client.get(LIST)  # the session and the user are read once per client
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for i in range(3):
        send(world, dept, task=rep_task(world, title=f"Job {i}"))
    few = queries()
    for i in range(3, 12):
        send(world, dept, task=rep_task(world, title=f"Job {i}"))
    assert queries() == few


def test_the_sender_reads_the_handed_over_task_everywhere_and_changes_it_nowhere(world):
    """Nothing handed over disappears: the hand-off's page links to the task, whose page opens
    read-only with where the hand-off stands, and the API answers the same; the task is no
    longer among the sender's own tasks (the "Sent by me" hand-offs list it)."""
    dept = logistics()
    rep = world.user("rep")
    task = task_create(actor=world.user("head"), title="Ship the samples", assignee=rep)
    handoff = send(world, dept, task=task)
    client = client_for(rep)

    page = client.get(reverse("activities:handoff_detail", args=[handoff.pk])).content.decode()
    assert f'<a href="{task.get_absolute_url()}">Ship the samples</a>' in page
    sent = client.get(LIST, {"tab": "sent"})
    assert [row.task_url for row in sent.context["rows"]] == [task.get_absolute_url()]

    card = client.get(task.get_absolute_url())
    assert card.status_code == 200 and card.context["can_change"] is False
    body = card.content.decode()
    assert f'id="card-handoff-{handoff.pk}"' in body and 'data-status="sent"' in body
    for control in (reverse("activities:task_update", args=[task.pk]), "data-move=", "#handoff"):
        assert control not in body
    assert 'id="handoff-button"' not in body

    mine = client.get(reverse("activities:task_list"), {"tab": "open"})
    assert task.pk not in [t.pk for t in mine.context["page"].object_list]

    api = client.get(f"/api/v1/tasks/{task.pk}/")
    assert api.status_code == 200 and api.json()["department"] == dept.department.pk
    assert task.pk in [row["id"] for row in client.get("/api/v1/tasks/").json()["results"]]

    before = fingerprint()
    assert client.get(reverse("activities:task_update", args=[task.pk])).status_code == 404
    status_url = reverse("activities:task_status", args=[task.pk])
    assert client.post(status_url, {"status": "done"}).status_code == 404
    patched = client.patch(
        f"/api/v1/tasks/{task.pk}/", {"title": "Mine again"}, content_type="application/json"
    )
    assert patched.status_code == 404
    assert client.post(f"/api/v1/tasks/{task.pk}/status/", {"status": "done"}).status_code == 404
    assert fingerprint() == before

    # A colleague of the sender who never had the task does not get it by the hand-off.
    teammate = client_for(world.user("teammate"))
    assert teammate.get(task.get_absolute_url()).status_code == 404
    assert teammate.get(f"/api/v1/tasks/{task.pk}/").status_code == 404


def test_a_returned_handoff_shows_why_on_its_page_and_in_the_api(world):
    dept = logistics()
    handoff = send(world, dept)
    handoff_return(actor=dept.clerk, handoff=handoff, reason="Wrong address: ask the customer")
    client = client_for(world.user("rep"))
    page = client.get(reverse("activities:handoff_detail", args=[handoff.pk])).content.decode()
    assert "Reason for returning" in page
    assert 'id="handoff-return-reason"' in page and "Wrong address: ask the customer" in page
    assert "handoff-reason" not in page  # not repeated under the state
    # The history has it as one of the changes of the hand-off.
    assert page.count("Wrong address: ask the customer") == 2
    data = client.get(f"/api/v1/handoffs/{handoff.pk}/").json()
    assert data["return_reason"] == "Wrong address: ask the customer"
    # The lists show it under the hand-off's state.
    assert "Wrong address: ask the customer" in client.get(LIST, {"tab": "sent"}).content.decode()
