"""Where a user starts the next piece of work: the "Hand off" button on a task's page, a handed
over task acknowledged and taken from the department's queue, the hand-offs of a record's tasks
on its card, and "Plan a meeting" from a record's card."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from rapport.activities.models import Handoff, Meeting, Task
from rapport.activities.services.tasks import task_create, task_set_status
from rapport.activities.tests.test_handoffs_services import logistics, rep_task, send
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_a_task_page_offers_the_hand_off_to_who_may_change_the_open_task(world):
    logistics()
    task = rep_task(world, title="Deliver the pumps")
    rep = client_for(world.user("rep"))
    page = rep.get(task.get_absolute_url()).content.decode()
    assert 'id="handoff-button"' in page
    assert f'href="/handoffs/new/?task={task.pk}&amp;next=/tasks/{task.pk}/"' in page
    form = rep.get(f"/handoffs/new/?task={task.pk}&next=/tasks/{task.pk}/")
    assert form.status_code == 200 and 'id="handoff-form"' in form.content.decode()
    # Those who only see the task get no button; nor does anyone once the task is done.
    auditor = client_for(world.user("auditor")).get(task.get_absolute_url())
    assert auditor.status_code == 200 and 'id="handoff-button"' not in auditor.content.decode()
    task_set_status(actor=world.user("rep"), task=task, status="done")
    assert 'id="handoff-button"' not in rep.get(task.get_absolute_url()).content.decode()


def test_a_handed_over_task_is_acknowledged_and_taken_from_the_queue(world):
    dept = logistics()
    handoff = send(world, dept, task=rep_task(world, title="Deliver the pumps"))
    own = task_create(actor=dept.clerk, title="Count the pallets", department=dept.department)
    clerk = client_for(dept.clerk)
    queue = clerk.get("/tasks/queue/").content.decode()
    assert f'data-acknowledge="{handoff.pk}"' in queue
    with translation.override(dept.clerk.language):  # the clerk reads Rapport in Russian
        handed = translation.gettext("Handed over by %(user)s, deadline %(deadline)s") % {
            "user": world.user("rep"),
            "deadline": formats.date_format(
                timezone.localtime(handoff.deadline), "SHORT_DATETIME_FORMAT"
            ),
        }
    assert handed in queue and "Two pallets, ramp at gate 3." in queue
    # Taking it alone would leave the hand-off unanswered; the department's own task is taken.
    assert f"/tasks/{handoff.task_id}/take/" not in queue and f"/tasks/{own.pk}/take/" in queue
    response = clerk.post(
        f"/handoffs/{handoff.pk}/acknowledge/", {"take": "1", "next": "/tasks/queue/"}
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/queue/"
    handoff.refresh_from_db()
    assert (handoff.status, handoff.acknowledged_by) == ("acknowledged", dept.clerk)
    assert Task.objects.get(pk=handoff.task_id).assignee == dept.clerk
    queue = clerk.get("/tasks/queue/").content.decode()
    assert f'id="task-{handoff.task_id}"' not in queue and f'id="task-{own.pk}"' in queue
    # A director looking at the queue is not its member: nothing to acknowledge there.
    again = send(world, dept, task=rep_task(world, title="Fetch the old boiler"))
    director = client_for(world.user("director"))
    queue = director.get(f"/tasks/queue/?department={dept.department.pk}").content.decode()
    assert "Fetch the old boiler" in queue and f'data-acknowledge="{again.pk}"' not in queue
    assert Handoff.objects.get(pk=again.pk).status == "sent"


def test_a_deal_card_shows_the_hand_offs_of_its_tasks(world):
    dept = logistics()
    pipeline = make_pipeline(world.user("admin"))
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"], name="Warehouse pumps")
    rep = client_for(world.user("rep"))
    assert 'id="handoff-section"' not in rep.get(deal.get_absolute_url()).content.decode()
    handoff = send(world, dept, task=rep_task(world, title="Deliver the pumps", record=deal))
    card = rep.get(deal.get_absolute_url()).content.decode()
    assert 'id="handoff-section"' in card
    assert f'id="card-handoff-{handoff.pk}"' in card and 'data-status="sent"' in card
    # A rep of another team does not see the deal at all.
    assert client_for(world.user("outsider")).get(deal.get_absolute_url()).status_code == 404


def test_a_meeting_planned_from_a_deal_card_is_about_the_deal(world):
    pipeline = make_pipeline(world.user("admin"))
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"], name="Warehouse pumps")
    rep = client_for(world.user("rep"))
    url = f"/meetings/new/?record=sales.deal:{deal.pk}"
    card = rep.get(deal.get_absolute_url()).content.decode()
    assert f'href="{url}"' in card and 'id="no-next-step"' in card
    auditor = client_for(world.user("auditor")).get(deal.get_absolute_url()).content.decode()
    assert 'id="record-new-meeting"' not in auditor  # read-only: nothing to plan
    form = rep.get(url)
    assert form.status_code == 200 and deal.get_absolute_url() in form.content.decode()
    starts = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    response = rep.post(
        url,
        {
            "kind": "meeting",
            "title": "Commissioning",
            "starts_at": local_input(starts),
            "ends_at": local_input(starts + datetime.timedelta(hours=1)),
            "people": [world.people["own"].pk],
        },
    )
    meeting = Meeting.objects.get(title="Commissioning")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert (meeting.object_id, meeting.company) == (deal.pk, world.companies["own"])
    assert meeting.starts_at == starts
    card = rep.get(deal.get_absolute_url()).content.decode()
    assert 'id="no-next-step"' not in card  # the planned meeting is the deal's next step
