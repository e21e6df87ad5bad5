"""Task screens: my tasks by tab, the form (and its refusals), a task's page, the team view, the
department queue, the record cards' "Tasks" section and the deals without a next step."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import Department
from rapport.activities.models import Task
from rapport.activities.selectors.tasks import Bounds
from rapport.activities.services.tasks import task_create, task_set_status
from rapport.core.models import ChangeRecord
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _in(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _task(world, title, *, user="rep", due=None, **fields):
    actor = world.user(user)
    fields.setdefault("assignee", actor)
    return task_create(actor=actor, title=title, due_at=due, allow_past_due=True, **fields)


def counts():
    return Task.objects.count(), ChangeRecord.objects.count()


@pytest.fixture
def pipeline(world):
    return make_pipeline(world.user("admin"))


def test_my_tasks_by_tab_in_due_order_with_the_overdue_marked(world):
    bounds = Bounds.at()
    late = _task(world, "Late call", due=_in(-30), company=world.companies["own"])
    _task(
        world, "Later today", due=min(_in(0.5), bounds.end_of_today - datetime.timedelta(minutes=1))
    )
    urgent = _task(world, "Urgent later", due=_in(24 * 10), priority=4)
    _task(world, "Some day", due=None)
    finished = _task(world, "Finished", due=_in(-5))
    task_set_status(actor=world.user("rep"), task=finished, status="done")
    _task(world, "Of teammate", user="teammate", due=_in(-2))
    client = _client(world.user("rep"))

    page = client.get(reverse("activities:task_list")).content.decode()
    # Open tasks only, by due time, undated last; someone else's are not "mine".
    order = [page.index(t) for t in ("Late call", "Later today", "Urgent later", "Some day")]
    assert order == sorted(order)
    assert "Finished" not in page and "Of teammate" not in page
    assert f'id="task-{late.pk}" class="table-danger task-overdue"' in page
    assert "Own Customer SIA" in page  # what it is about

    overdue = client.get(reverse("activities:task_list") + "?tab=overdue").content.decode()
    assert "Late call" in overdue and "Later today" not in overdue
    later = client.get(reverse("activities:task_list") + "?tab=later").content.decode()
    assert "Urgent later" in later and "Some day" in later and "Late call" not in later
    done = client.get(reverse("activities:task_list") + "?tab=done").content.decode()
    assert "Finished" in done and "Late call" not in done
    by_priority = client.get(reverse("activities:task_list") + "?sort=priority").content.decode()
    assert by_priority.index("Urgent later") < by_priority.index("Late call")
    assert client.get(reverse("activities:task_list") + "?tab=bogus").status_code == 200
    assert urgent.pk


def test_creating_a_task_on_a_deal_from_its_card(world, pipeline):
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"], name="Boilers")
    client = _client(world.user("rep"))
    card = client.get(deal.get_absolute_url()).content.decode()
    assert 'id="record-tasks"' in card and 'id="no-next-step"' in card  # flagged (H6)
    url = reverse("activities:task_create") + f"?record=sales.deal:{deal.pk}"
    form = client.get(url).content.decode()
    assert "Boilers" in form and 'name="record" value="sales.deal:' in form
    response = client.post(
        url,
        {
            "record": f"sales.deal:{deal.pk}",
            "next": deal.get_absolute_url(),
            "title": "Send the offer",
            "assignee": world.user("rep").pk,
            "due_at": _local(_in(48)),
            "remind_at": _local(_in(47)),
            "priority": "3",
            "checklist": "Prices\n\n  Terms  \n",
        },
    )
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    task = Task.objects.get()
    assert (task.object_id, task.company, task.priority) == (deal.pk, deal.company, 3)
    assert task.checklist == [
        {"text": "Prices", "done": False},
        {"text": "Terms", "done": False},
    ]
    card = client.get(deal.get_absolute_url()).content.decode()
    assert "Send the offer" in card and 'id="no-next-step"' not in card
    company_card = client.get(world.companies["own"].get_absolute_url()).content.decode()
    assert "Send the offer" in company_card and "Deal: Boilers" in company_card


def test_a_record_one_may_not_see_cannot_be_the_subject_of_a_new_task(world):
    client = _client(world.user("rep"))
    foreign = world.companies["foreign"]
    url = reverse("activities:task_create") + f"?record=contacts.company:{foreign.pk}"
    assert client.get(url).status_code == 404
    before = counts()
    assert client.post(url, {"title": "Spy", "assignee": world.user("rep").pk}).status_code == 404
    assert client.get(reverse("activities:task_create") + "?record=sales.deal:x").status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due_at": "past"}, "due_at", "The due time is in the past"),
        ({"remind_at": "after"}, "remind_at", "The reminder must come before the due time"),
        ({"title": "   "}, "title", "This field is required"),
        ({"checklist": "x" * 201}, "checklist", "at most 200 characters"),
        ({"checklist": "\n".join(f"item {i}" for i in range(51))}, "checklist", "at most 50"),
        ({"assignee": "", "department": "EMPTY"}, "department", "has no members"),
        ({"assignee": "", "department": ""}, "assignee", "Choose who does the task"),
        ({"department": "SALES"}, "department", "not both"),
        ({"due_at": "31.31.2026"}, "due_at", "Enter a valid date/time"),
    ],
)
def test_bad_input_shows_a_translated_error_and_saves_nothing(world, fields, field, message):
    empty = Department.objects.create(name="Logistics")
    sales = Department.objects.get(name="Sales")
    client = _client(world.user("rep"))
    data = {
        "title": "Send the contract",
        "assignee": world.user("rep").pk,
        "due_at": _local(_in(5)),
        "priority": "2",
    }
    for key, value in fields.items():
        data[key] = {
            "past": _local(_in(-3)),
            "after": _local(_in(6)),
            "EMPTY": empty.pk,
            "SALES": sales.pk,
        }.get(value, value)
    before = counts()
    response = client.post(reverse("activities:task_create"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert counts() == before


def test_editing_an_overdue_task_keeps_its_due_time_and_a_stale_form_is_refused(world):
    task = _task(world, "Ship", due=_in(-26))
    task = Task.objects.get(pk=task.pk)
    client = _client(world.user("rep"))
    url = reverse("activities:task_update", args=[task.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["due_at"] = _local(task.due_at)
    data["title"] = "Ship today"
    data["assignee"] = world.user("rep").pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    task.refresh_from_db()
    assert task.title == "Ship today" and task.is_overdue()
    # The form opened before that change is stale now.
    data["title"] = "Ship tomorrow"
    response = client.post(url, data)
    assert response.status_code == 422 and "Someone else changed" in response.content.decode()
    assert Task.objects.get(pk=task.pk).title == "Ship today"


def test_the_task_page_ticks_its_checklist_moves_and_shows_its_history(world):
    task = _task(
        world, "Visit", due=_in(3), company=world.companies["own"], checklist=["Car", "Samples"]
    )
    client = _client(world.user("rep"))
    page = client.get(task.get_absolute_url()).content.decode()
    assert "Own Customer SIA" in page and "0 of 2 done" in page
    assert 'data-move="in_progress"' in page and 'data-move="open"' not in page

    check = reverse("activities:task_check", args=[task.pk, 1])
    partial = client.post(check, {"done": "on"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "1 of 2 done" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert Task.objects.get(pk=task.pk).checklist[1]["done"] is True
    assert client.post(reverse("activities:task_check", args=[task.pk, 9])).status_code == 404

    status = reverse("activities:task_status", args=[task.pk])
    client.post(status, {"status": "done"})
    assert Task.objects.get(pk=task.pk).status == "done"
    response = client.post(status, {"status": "in_progress"}, follow=True)
    assert "cannot become" in response.content.decode()
    page = client.get(task.get_absolute_url()).content.decode()
    assert 'data-move="open"' in page and "Status: open → done" in page
    # Someone who does not see the customer does not see the task at all.
    assert _client(world.user("outsider")).get(task.get_absolute_url()).status_code == 404


def test_the_team_view_is_for_heads_and_filters_by_person(world):
    _task(world, "Overdue of rep", due=_in(-3))
    _task(world, "Of teammate", user="teammate", due=_in(3))
    _task(world, "Of outsider", user="outsider", due=_in(3))
    head = _client(world.user("head"))
    page = head.get(reverse("activities:task_team")).content.decode()
    assert "Overdue of rep" in page and "Of teammate" in page and "Of outsider" not in page
    assert 'id="team-load"' in page
    rep_only = head.get(
        reverse("activities:task_team") + f"?assignee={world.user('rep').pk}"
    ).content.decode()
    assert "Overdue of rep" in rep_only and "Of teammate" not in rep_only
    overdue = head.get(reverse("activities:task_team") + "?overdue=true").content.decode()
    assert "Overdue of rep" in overdue and "Of teammate" not in overdue
    director = _client(world.user("director")).get(reverse("activities:task_team"))
    assert "Of outsider" in director.content.decode()
    assert _client(world.user("rep")).get(reverse("activities:task_team")).status_code == 404


def test_a_member_takes_a_task_from_the_department_queue(world):
    marketing = world.teams["m"].department
    task = _task(
        world,
        "Prepare a mailing",
        department=marketing,
        assignee=None,
        due=_in(30),
        record=world.companies["own"],
    )
    marketer = _client(world.user("marketer"))
    queue = marketer.get(reverse("activities:task_queue")).content.decode()
    assert "Prepare a mailing" in queue and "Marketing" in queue
    # The queue's people see the task, not the customer it is about (they may not see it).
    assert "Own Customer SIA" not in queue and "not visible to you" in queue
    page = marketer.get(task.get_absolute_url()).content.decode()
    assert "Own Customer SIA" not in page and "not visible to you" in page
    assert (
        "Prepare a mailing"
        not in _client(world.user("outsider"))
        .get(reverse("activities:task_queue"))
        .content.decode()
    )
    response = marketer.post(reverse("activities:task_take", args=[task.pk]))
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert Task.objects.get(pk=task.pk).assignee == world.user("marketer")
    # Too late for a colleague: taken already, a clear message and no change.
    support = _client(world.user("support"))
    response = support.post(reverse("activities:task_take", args=[task.pk]), follow=True)
    assert "has already taken this task" in response.content.decode()
    assert Task.objects.get(pk=task.pk).assignee == world.user("marketer")
    assert "Prepare a mailing" not in support.get(reverse("activities:task_queue")).content.decode()


def test_deals_without_a_next_step(world, pipeline):
    from rapport.activities.models import Meeting

    rep = world.user("rep")
    make_deal(rep, pipeline, world.companies["own"], name="Bare deal")
    planned = make_deal(rep, pipeline, world.companies["own"], name="Planned deal")
    met = make_deal(rep, pipeline, world.companies["own"], name="Meeting deal")
    make_deal(world.user("teammate"), pipeline, world.companies["team"], name="Team deal")
    _task(world, "Next step", due=_in(5), record=planned)
    from django.contrib.contenttypes.models import ContentType

    Meeting.objects.create(
        title="Demo",
        starts_at=_in(24),
        ends_at=_in(25),
        organizer=rep,
        content_type=ContentType.objects.get_for_model(met),
        object_id=met.pk,
    )
    client = _client(rep)
    mine = client.get(reverse("activities:task_list")).content.decode()
    panel = mine[mine.index('id="stalled-deals"') :]
    assert "Bare deal" in panel and "Planned deal" not in panel and "Meeting deal" not in panel
    assert "Team deal" not in panel  # the panel is one's own deals
    page = client.get(reverse("activities:no_next_step")).content.decode()
    assert "Bare deal" in page and "Team deal" not in page
    head = _client(world.user("head")).get(reverse("activities:no_next_step")).content.decode()
    assert "Bare deal" in head and "Team deal" in head
    by_owner = _client(world.user("head")).get(
        reverse("activities:no_next_step") + f"?owner={world.user('teammate').pk}"
    )
    assert "Bare deal" not in by_owner.content.decode()
    # A done task is no next step.
    task_set_status(actor=rep, task=Task.objects.get(title="Next step"), status="done")
    page = client.get(reverse("activities:no_next_step")).content.decode()
    assert "Planned deal" in page


def _spread_tasks(world, pipeline, start, count):
    """Tasks of the rep and the teammate on customers, deals and in the queue."""
    sales = Department.objects.get(name="Sales")
    for i in range(start, start + count):
        deal = make_deal(world.user("rep"), pipeline, world.companies["own"], name=f"D{i}")
        _task(world, f"On deal {i}", due=_in(-1 - i), record=deal, checklist=["a", "b"])
        _task(world, f"On company {i}", due=_in(2 + i), company=world.companies["own"])
        _task(world, f"On person {i}", due=_in(i), record=world.people["own"])
        _task(world, f"Queued {i}", user="teammate", department=sales, assignee=None)
        _task(world, f"Teammate {i}", user="teammate", due=_in(i), company=world.companies["team"])


def test_task_lists_do_not_query_per_row(world, pipeline, monkeypatch):
    from rapport.core.models import SiteConfiguration

    # Each request reads the site configuration from a memo of a few seconds; making the rows
    # takes longer, so keep the memo for the test (it is not per-row work).
    monkeypatch.setattr(SiteConfiguration, "MEMO_SECONDS", 3600)
    pages = [
        reverse("activities:task_list"),
        reverse("activities:task_list") + "?tab=overdue&sort=priority",
        reverse("activities:task_team"),
        reverse("activities:task_queue"),
        reverse("activities:no_next_step"),
        reverse("activities:notification_list"),
    ]
    _spread_tasks(world, pipeline, 0, 2)
    for role in ("rep", "head"):
        client = _client(world.user(role))
        for url in pages:
            client.get(url)  # warm the per-process caches (content types)

    statements = {}

    def measure(role):
        client, found = _client(world.user(role)), {}
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code in (200, 404), url
            found[url] = len(ctx.captured_queries)
            statements.setdefault((role, url), []).append(
                [q["sql"][:160] for q in ctx.captured_queries]
            )
        return found

    few = {role: measure(role) for role in ("rep", "head")}
    _spread_tasks(world, pipeline, 10, 15)
    many = {role: measure(role) for role in ("rep", "head")}
    differing = {key: runs for key, runs in statements.items() if len(runs[0]) != len(runs[1])}
    assert many == few, differing
    page = _client(world.user("head")).get(reverse("activities:task_team")).content.decode()
    assert page.count('id="task-') >= 40  # the rows are there


def test_the_cards_of_a_person_show_their_tasks(world):
    _task(world, "Congratulate", due=_in(5), record=world.people["own"])
    page = _client(world.user("rep")).get(world.people["own"].get_absolute_url()).content.decode()
    assert "Congratulate" in page and "record=contacts.person:" in page
    auditor = _client(world.user("auditor")).get(world.people["own"].get_absolute_url())
    assert "Congratulate" in auditor.content.decode()
    assert 'id="record-new-task"' not in auditor.content.decode()  # read-only: no button


def test_the_cards_of_a_lead_and_an_order_show_their_tasks(world):
    from rapport.sales.services.leads import lead_create
    from tests.app_rules.orders_documents import make_order

    rep = world.user("rep")
    lead = lead_create(
        actor=rep, company_name="Fresh Lead SIA", first_name="Ieva", email="ieva@example.com"
    )
    order = make_order(world, "own")
    _task(world, "Qualify the lead", due=_in(5), record=lead)
    _task(world, "Plan the delivery", due=_in(-5), record=order)
    client = _client(rep)
    lead_card = client.get(lead.get_absolute_url()).content.decode()
    assert "Qualify the lead" in lead_card and f"record=sales.lead:{lead.pk}" in lead_card
    order_card = client.get(order.get_absolute_url()).content.decode()
    assert "Plan the delivery" in order_card and "overdue" in order_card
    assert f"record=orders.order:{order.pk}" in order_card


def test_the_tasks_menu(world):
    from rapport.activities.navigation import _optional, items

    def entries(role):
        [(url, label, icon, menu)] = items(world.user(role))
        assert (url, str(label)) == ("", "Tasks")
        return {str(label): link for link, label in menu}

    rep, head = entries("rep"), entries("head")
    assert rep["My tasks"] == reverse("activities:task_list") and "Team tasks" not in rep
    assert head["Team tasks"] == reverse("activities:task_team")
    assert "Department queue" in rep and "Deals without a next step" in rep
    # A part not installed yet (the calendar, hand-offs) leaves the menu working.
    assert _optional("activities:no_such_page", "Missing") == []
    page = _client(world.user("rep")).get(reverse("activities:task_list")).content.decode()
    assert f'href="{reverse("activities:task_queue")}"' in page
