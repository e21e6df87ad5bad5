"""The pages of running processes: the record's card, starting one, skipping, the schedule,
the dashboard (overdue first, filters, no query per row) and analytics."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.processes.models import ProcessInstance, ProcessStage
from rapport.processes.services.instances import process_start
from rapport.processes.tests.factories import (
    SALES_STAGES,
    make_deal,
    make_template,
    start_on_deal,
)
from tests.app_rules.orders_documents import make_order


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_deal_card_shows_the_process_and_starts_one(world):
    rep = world.users["rep"]
    template = make_template(world.users["admin"], controller=world.users["head"])
    deal = make_deal(world)
    client = _client(rep)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'id="record-processes"' in page and "Typical sales model" in page  # the start form
    response = client.post(
        f"/processes/start/sales.deal/{deal.pk}/",
        {"template": template.pk, "next": deal.get_absolute_url()},
    )
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    instance = ProcessInstance.objects.get()
    page = client.get(deal.get_absolute_url()).content.decode()
    assert f'data-process="{instance.pk}"' in page
    for name in ("Qualification", "Proposal", "Approval", "Contract"):
        assert name in page
    assert 'data-stage-status="active"' in page
    # The template is running here: the form offers no other, so it is gone.
    assert 'id="process-start-form"' not in page


def test_starting_refused_on_a_record_one_cannot_see_or_of_the_wrong_kind(world):
    rep = world.users["rep"]
    admin = world.users["admin"]
    template = make_template(admin)
    order_template = make_template(
        admin,
        name="Delivery",
        record_type="orders.order",
        stages=[{"name": "Ship", "executor_role": "sales_rep"}],
    )
    foreign = make_deal(world, "foreign")
    client = _client(rep)
    response = client.post(f"/processes/start/sales.deal/{foreign.pk}/", {"template": template.pk})
    assert response.status_code == 404
    response = client.post("/processes/start/sales.nothing/1/", {"template": template.pk})
    assert response.status_code == 404
    deal = make_deal(world)
    response = client.post(
        f"/processes/start/sales.deal/{deal.pk}/", {"template": order_template.pk}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()  # not offered for deals
    assert not ProcessInstance.objects.exists()


def test_skip_without_a_reason_says_so_and_changes_nothing(world):
    instance, deal = start_on_deal(world)
    stage = instance.stages.get(position=0)
    client = _client(world.users["rep"])
    response = client.post(
        f"/processes/stages/{stage.pk}/skip/",
        {"reason": " ", "next": deal.get_absolute_url()},
        follow=True,
    )
    assert "Give the reason for skipping this stage." in response.content.decode()
    stage.refresh_from_db()
    assert stage.status == "active"
    response = client.post(f"/processes/stages/{stage.pk}/skip/", {"reason": "Known customer"})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.status == "skipped" and stage.skipped_by == world.users["rep"]
    page = client.get(instance.get_absolute_url()).content.decode()
    assert "Known customer" in page and 'data-deviation="skipped"' in page


def test_commissioning_schedule_on_the_order_card(world, django_capture_on_commit_callbacks):
    from rapport.activities.services.tasks import task_set_status

    rep, head = world.users["rep"], world.users["head"]
    template = make_template(
        world.users["admin"],
        name="Equipment delivery and commissioning",
        record_type="orders.order",
        controller=head,
        stages=[
            {"name": "Delivery", "executor_role": "sales_rep", "duration_value": 2},
            {"name": "Commissioning", "executor_role": "sales_rep", "duration_value": 1},
        ],
    )
    order = make_order(world)
    monday = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    monday += datetime.timedelta(days=14)
    instance = process_start(
        actor=rep,
        template=template,
        record=order,
        stages=[
            {
                "position": 1,
                "planned_start": monday,
                "planned_end": monday + datetime.timedelta(hours=6),
                "executor_user": world.users["teammate"],
            }
        ],
    )
    client = _client(head)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Equipment delivery and commissioning" in page and "Commissioning" in page
    assert "Teammate Tester" in page
    commissioning = instance.stages.get(position=1)
    url = f"/processes/stages/{commissioning.pk}/schedule/"
    assert client.get(url).status_code == 200
    new_start = monday + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "planned_start": new_start.strftime("%Y-%m-%dT%H:%M"),
            "planned_end": (new_start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "executor_department": world.teams["a"].department.pk,
            "next": order.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    commissioning.refresh_from_db()
    assert commissioning.planned_start == new_start
    assert commissioning.executor_department.name == "Sales" and commissioning.executor_user is None
    # Outside the controller's side: not even the form.
    assert _client(world.users["auditor"]).get(url).status_code == 404
    assert _client(world.users["outsider"]).get(url).status_code == 404
    # A finished stage's dates are refused with a clear message.
    first = instance.stages.get(position=0)
    with django_capture_on_commit_callbacks(execute=True):
        task_set_status(actor=rep, task=first.task, status="done")
    first.refresh_from_db()
    response = client.post(
        f"/processes/stages/{first.pk}/schedule/",
        {
            "planned_start": new_start.strftime("%Y-%m-%dT%H:%M"),
            "planned_end": (new_start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "executor_user": rep.pk,
        },
    )
    assert response.status_code == 422
    assert "The stage “Delivery” is finished; its dates and executor cannot change." in (
        response.content.decode()
    )
    unchanged = ProcessStage.objects.get(pk=first.pk)
    assert unchanged.planned_start == first.planned_start


def test_dashboard_puts_overdue_first_and_filters(world):
    head = world.users["head"]
    # Stages for reps only (the head carries out none of them, so sees only what they control).
    template = make_template(
        world.users["admin"], controller=head, stages=[SALES_STAGES[0], SALES_STAGES[1]]
    )
    late, _deal = start_on_deal(
        world, template=template, start_at=timezone.now() - datetime.timedelta(days=5)
    )
    fresh, _deal = start_on_deal(world, key="team", template=template)
    foreign, _deal = start_on_deal(
        world, key="foreign", template=template, controller=world.users["outsider"]
    )
    client = _client(head)
    page = client.get("/processes/").content.decode()
    assert page.index(f'data-process="{late.pk}"') < page.index(f'data-process="{fresh.pk}"')
    assert f'data-process="{foreign.pk}"' not in page  # another department's customer
    assert 'data-deviation="overdue"' in page
    page = client.get("/processes/?overdue=true").content.decode()
    assert f'data-process="{late.pk}"' in page and f'data-process="{fresh.pk}"' not in page
    teammate = world.users["teammate"]
    page = client.get(f"/processes/?executor={teammate.pk}").content.decode()
    assert f'data-process="{fresh.pk}"' in page and f'data-process="{late.pk}"' not in page
    director = _client(world.users["director"]).get("/processes/").content.decode()
    assert f'data-process="{foreign.pk}"' in director
    # The marketer controls, carries out and sees none of them.
    marketer = _client(world.users["marketer"]).get("/processes/").content.decode()
    assert "data-process=" not in marketer


def test_dashboard_and_card_do_not_query_per_row(world):
    template = make_template(world.users["admin"], controller=world.users["head"])
    client = _client(world.users["head"])

    def count(url):
        client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    start_on_deal(world, template=template)
    few = count("/processes/")
    for i in range(6):
        deal = make_deal(world, "team", name=f"More {i}")
        process_start(actor=world.users["teammate"], template=template, record=deal)
    assert count("/processes/") == few


def test_analytics_page(world, django_capture_on_commit_callbacks):
    from rapport.activities.services.tasks import task_set_status

    template = make_template(world.users["admin"], controller=world.users["head"])
    instance, _deal = start_on_deal(world, template=template)
    with django_capture_on_commit_callbacks(execute=True):
        task_set_status(
            actor=world.users["rep"], task=instance.stages.get(position=0).task, status="done"
        )
    page = _client(world.users["head"]).get(f"/processes/analytics/?template={template.pk}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Qualification" in body and "Rep Tester" in body
    assert "Where processes stall" in body
