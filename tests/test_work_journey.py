"""The "time and work" done-means journey in Debian's chromium against a live server: a head builds
a process template in the editor, a rep starts it on a deal, the stages' tasks come in turn, one
is handed to Logistics and acknowledged there, a reminder reaches the notification centre and,
over real SMTP, the inbox in the user's language, an overdue stage shows as a deviation on the
deal card and the process dashboard, and a meeting planned from the deal is in the rep's
iCalendar feed."""

from __future__ import annotations

import datetime
import re
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from icalendar import Calendar
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import build_world, run_task_worker, server_turn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
SHOTS = Path("/tmp/rapport-work-journey")
TIMEOUT = 15_000

PROCESS = "Heat pump installation"
DEAL = "Heat pump for the warehouse"
# The stages as the head types them into the template editor; the executor is a role, a
# department or a person.
STAGES = [
    {
        "name": "Site survey",
        "role": "sales_rep",
        "duration": 2,
        "unit": "days",
        "checklist": "Measure the boiler room\nPhotograph the site",
    },
    {
        "name": "Equipment delivery",
        "role": "sales_rep",
        "duration": 1,
        "unit": "days",
        "documents": "Delivery note",
    },
    {"name": "Installation", "person": "Kalniņa", "duration": 8, "unit": "hours"},
    {
        "name": "Acceptance",
        "department": "Sales",
        "duration": 1,
        "unit": "days",
        "skippable": False,
    },
]
MEETING = "Commissioning of the heat pump"


@pytest.fixture
def watch():
    """Collect server errors and JavaScript errors of every page the test opens."""
    problems: list[str] = []

    def attach(page: Page) -> Page:
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} from {r.url}") if r.status >= 500 else None,
        )
        return page

    attach.problems = problems
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT)
    return attach


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def sign_in(browser: Browser, watch, live_server):
    """A browser window of its own for each user, signed in; all closed at the end (a page left
    open would poll the live server for its notifications after the test)."""
    contexts = []

    def open_as(username: str) -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = watch(context.new_page())
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.locator("#user-menu")).to_have_count(1)
        return page

    yield open_as
    for context in contexts:
        context.close()


def menu(page: Page, href: str) -> None:
    """Open the top-bar menu holding ``href`` and follow it (by address: the menus' words are
    in the user's language)."""
    nav = page.locator("#mainnav")
    nav.locator("li.dropdown", has=page.locator(f"a[href='{href}']")).locator(
        ".dropdown-toggle"
    ).click()
    nav.locator(f"a[href='{href}']").click()
    expect(page).to_have_url(re.compile(re.escape(href) + r"(\?.*)?$"))


def choose(page: Page, select_id: str, typed: str, label: str) -> None:
    """Type into an autocomplete box and choose an option, as a user does: wait for the answer
    to what was typed, choose, and see the choice in the box with the list closed."""
    box = page.locator(f".ts-control:has(> #{select_id}-ts-control)")
    box.click()
    # The box takes the focus a moment after the click (and may load its first options then):
    # typed sooner, the first letters would be lost.
    wrapper = page.locator(f".ts-wrapper:has(#{select_id}-ts-control)")
    expect(wrapper).to_have_class(re.compile(r"\bfocus\b"))
    expect(wrapper).not_to_have_class(re.compile(r"\bloading\b"))
    with page.expect_response(lambda r: "q=" + quote(typed) in r.url):
        page.keyboard.type(typed)
    option = page.locator(f"#{select_id}-ts-dropdown .option", has_text=label)
    expect(option).to_have_count(1)
    option.click()
    expect(box.locator(".item", has_text=label)).to_have_count(1)
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_hidden()


def local_input(moment: datetime.datetime) -> str:
    """A time as typed into a datetime-local box (the site's time zone, minutes)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime.datetime, language: str) -> str:
    """A time as the pages and messages show it to a reader of ``language``."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def stage_status(row: Locator) -> Locator:
    return row.locator("[data-stage-status]")


def unread_badge(page: Page, count: int) -> None:
    """The bell's badge (after a reload: it is polled every 30 s) shows ``count``."""
    page.reload()
    expect(page.locator("#notification-count")).to_have_text(re.compile(rf"^{count}\b"))


def time_passes(delta: datetime.timedelta) -> None:
    """Time passes: everything the processes planned and did, and their tasks' times, move
    ``delta`` into the past (what a clock ``delta`` ahead would show)."""
    from django.db.models import F

    from rapport.activities.models import Task
    from rapport.processes.models import ProcessInstance, ProcessStage

    with server_turn():
        ProcessInstance._base_manager.update(
            started_at=F("started_at") - delta, current_due=F("current_due") - delta
        )
        ProcessStage._base_manager.update(
            planned_start=F("planned_start") - delta,
            planned_end=F("planned_end") - delta,
            started_at=F("started_at") - delta,
            finished_at=F("finished_at") - delta,
        )
        Task._base_manager.update(
            due_at=F("due_at") - delta,
            remind_at=F("remind_at") - delta,
            completed_at=F("completed_at") - delta,
        )


def scheduler_tick() -> None:
    """The scheduler enqueues the periodic tasks (reminders, overdue stages...) and a worker
    runs them, between two requests of the live server."""
    with server_turn():
        call_command("rapport_scheduler", once=True, verbosity=0)
    run_task_worker()


def _set_up(world):
    """What an administrator set up before: the Logistics department with Ilze (who reads
    Rapport in Latvian), a pipeline and the rep's deal."""
    from rapport.accounts.choices import DepartmentKind, Role
    from rapport.accounts.models import Department, Team
    from rapport.accounts.services import user_create
    from rapport.sales.services.deals import deal_create
    from rapport.sales.services.pipelines import pipeline_create_with_stages

    logistics = Department.objects.create(name="Logistics", kind=DepartmentKind.OTHER)
    team = Team.objects.create(name="Warehouse", department=logistics)
    ilze = user_create(
        actor=None,
        username="ilze",
        password=PASSWORD,
        first_name="Ilze",
        last_name="Kalniņa",
        email="ilze@example.com",
        role=Role.SUPPORT,
        team=team,
        department=logistics,
        language="lv",
    )
    pipeline = pipeline_create_with_stages(
        actor=world.user("admin"),
        name="Heating projects",
        currency="EUR",
        stages=[
            {"name": "Qualification", "probability": 20},
            {"name": "Won", "probability": 100, "kind": "won"},
            {"name": "Lost", "probability": 0, "kind": "lost"},
        ],
    )
    deal = deal_create(
        actor=world.user("rep"),
        pipeline=pipeline,
        company=world.companies["own"],
        person=world.people["own"],
        name=DEAL,
        amount=Decimal("9000"),
    )
    return logistics, ilze, deal


def _add_stage(page: Page, stage: dict) -> None:
    page.fill("#id_stage-name", stage["name"])
    if "role" in stage:
        page.select_option("#id_stage-executor_role", stage["role"])
    if "department" in stage:
        page.select_option("#id_stage-executor_department", label=stage["department"])
    if "person" in stage:
        choose(page, "id_stage-executor_user", stage["person"], "Ilze Kalniņa")
    page.fill("#id_stage-duration_value", str(stage["duration"]))
    page.select_option("#id_stage-duration_unit", stage["unit"])
    page.fill("#id_stage-checklist", stage.get("checklist", ""))
    page.fill("#id_stage-documents", stage.get("documents", ""))
    if not stage.get("skippable", True):
        page.uncheck("#id_stage-is_skippable")
    page.locator("#stage-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Stage added.")
    expect(page.locator("#template-stages tbody tr", has_text=stage["name"])).to_have_count(1)


def test_time_and_work_journey(live_server, sign_in, watch, smtp_server):
    from rapport.activities.models import CalendarFeed, Handoff, Meeting, Task
    from rapport.core.models import OutboxMessage
    from rapport.processes.models import ProcessInstance, ProcessTemplate

    world = build_world()
    logistics, ilze, deal = _set_up(world)
    rep = world.user("rep")
    base = live_server.url
    deal_url = f"{base}{deal.get_absolute_url()}"

    # 1. The head of sales builds the template in the editor: four stages, each with its
    # executor (a role, a person in Logistics, the Sales department's queue) and duration.
    head = sign_in("head")
    menu(head, "/processes/templates/")
    head.locator("#template-create").click()
    head.fill("#id_name", PROCESS)
    head.select_option("#id_record_type", "sales.deal")
    head.fill("#id_description", "From the survey to the customer's acceptance.")
    head.locator("#template-form button[type=submit]").first.click()
    expect(head.locator("h1")).to_contain_text(PROCESS)
    for stage in STAGES:
        _add_stage(head, stage)
    rows = head.locator("#template-stages tbody tr")
    expect(rows).to_have_count(len(STAGES))
    for row, (name, executor, duration) in zip(
        rows.all(),
        [
            ("Site survey", "sales rep", "2 days"),
            ("Equipment delivery", "sales rep", "1 day"),
            ("Installation", "Ilze Kalniņa", "8 hours"),
            ("Acceptance", "Sales", "1 day"),
        ],
        strict=True,
    ):
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(executor)
        expect(row).to_contain_text(duration)
    shot(head, "01-template-editor")
    with server_turn():
        template = ProcessTemplate.objects.get(name=PROCESS)
        assert [s.name for s in template.stages.order_by("position")] == [s["name"] for s in STAGES]
        assert template.stages.get(name="Installation").executor_user == ilze

    # 2. The rep opens the deal and starts the process: the first stage's task is theirs.
    page = sign_in("rep")
    page.goto(deal_url)
    start = page.locator("#process-start-form")
    start.locator("select[name=template]").select_option(label=PROCESS)
    start.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(f"The process “{PROCESS}” has started.")
    stages = page.locator("#record-processes tr[data-stage]")
    expect(stages).to_have_count(len(STAGES))
    expect(stage_status(stages.nth(0))).to_have_attribute("data-stage-status", "active")
    for n in range(1, len(STAGES)):
        expect(stage_status(stages.nth(n))).to_have_attribute("data-stage-status", "pending")
    tasks = page.locator("#record-tasks li")
    expect(tasks).to_have_count(1)
    expect(tasks.first).to_contain_text(f"Site survey · {PROCESS}")
    shot(page, "02-deal-process-started")
    with server_turn():
        process = ProcessInstance.objects.get(template=template, object_id=deal.pk)
        assert (process.controller, process.started_by) == (rep, rep)

    # 3. The rep ticks the survey's checklist and marks its task done: the next stage's task
    # appears, and only then.
    tasks.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Site survey")
    for box in page.locator("#task-checklist input[type=checkbox]").all():
        box.check()
        expect(box).to_be_checked()
    expect(page.locator("#task-checklist")).to_contain_text("2 of 2 done")
    page.locator("button[data-move=done]").click()
    expect(page.locator("#task-status")).to_have_text("Done")
    page.locator("#task-about a").click()
    expect(page).to_have_url(deal_url)
    expect(stage_status(stages.nth(0))).to_have_attribute("data-stage-status", "done")
    expect(stage_status(stages.nth(1))).to_have_attribute("data-stage-status", "active")
    expect(tasks).to_have_count(1)
    expect(tasks.first).to_contain_text(f"Equipment delivery · {PROCESS}")
    shot(page, "03-next-task-on-deal-card")

    # 4. The delivery is Logistics' work: the rep hands the task over with a deadline and a note.
    tasks.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Equipment delivery")
    page.locator("#handoff-button").click()
    page.select_option("#id_to_department", label="Logistics")
    deadline = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    page.fill("#id_deadline", local_input(deadline))
    page.fill("#id_note", "Two pallets; the customer's ramp is at gate 3.")
    shot(page, "04-handoff-form")
    page.locator("#handoff-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Handed over to Logistics.")
    with server_turn():
        handoff = Handoff.objects.get(task__title=f"Equipment delivery · {PROCESS}")
        assert (handoff.to_department, handoff.deadline) == (logistics, deadline)
    # The deal card shows where the hand-off stands.
    page.goto(deal_url)
    section = page.locator("#handoff-section")
    expect(section.locator(".handoff-state")).to_have_attribute("data-status", "sent")

    # 5. Ilze (in Latvian) finds it waiting in Logistics' queue, with the rep's note, and
    # acknowledges it there, taking the task herself; the incoming hand-offs show it answered.
    logist = sign_in("ilze")
    expect(logist.locator("html")).to_have_attribute("lang", "lv")
    menu(logist, "/tasks/queue/")
    queued = logist.locator(f"#task-{handoff.task_id}")
    expect(queued).to_contain_text(f"Equipment delivery · {PROCESS}")
    expect(queued.locator(".task-handoff")).to_contain_text(
        "Two pallets; the customer's ramp is at gate 3."
    )
    shot(logist, "05-queue-with-handoff")
    queued.locator(f"button[data-acknowledge='{handoff.pk}']").click()
    expect(logist.locator("#task-table")).to_be_visible()
    expect(queued).to_have_count(0)
    with server_turn():
        handoff.refresh_from_db()
        assert (handoff.status, handoff.acknowledged_by) == ("acknowledged", ilze)
        assert Task.objects.get(pk=handoff.task_id).assignee == ilze
    menu(logist, "/handoffs/")
    row = logist.locator(f"#handoff-{handoff.pk}")
    expect(row.locator(".handoff-state")).to_have_attribute("data-status", "acknowledged")
    expect(row).to_contain_text("Ilze Kalniņa")
    shot(logist, "06-handoff-incoming-acknowledged")
    # The rep sees who acknowledged it, on the deal card.
    page.reload()
    expect(section.locator(".handoff-state")).to_have_attribute("data-status", "acknowledged")
    expect(section).to_contain_text("Ilze Kalniņa")
    shot(page, "07-handoff-acknowledged-on-deal")

    # 6. Ilze delivers and marks the task done: the hand-off closes and the installation, hers,
    # comes next.
    row.locator(f"a[href='/tasks/{handoff.task_id}/']").click()
    logist.locator("button[data-move=done]").click()
    expect(logist.locator("button[data-move=open]")).to_be_visible()
    page.reload()
    expect(stage_status(stages.nth(1))).to_have_attribute("data-stage-status", "done")
    expect(stage_status(stages.nth(2))).to_have_attribute("data-stage-status", "active")
    expect(stages.nth(2)).to_contain_text("Ilze Kalniņa")
    expect(section.locator(".handoff-state")).to_have_attribute("data-status", "done")
    with server_turn():
        installation = process.stages.get(name="Installation")
        assert installation.task.assignee == ilze

    # 7. In her tasks she sets herself a reminder an hour from now, then reads her
    # notifications (her turn in the process among them) so none is left unread.
    menu(logist, "/tasks/")
    logist.locator("#task-table a", has_text=f"Installation · {PROCESS}").click()
    logist.locator(f"a[href='/tasks/{installation.task_id}/edit/']").click()
    remind_at = (timezone.now() + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    logist.fill("#id_remind_at", local_input(remind_at))
    logist.locator("#task-form button[type=submit]").click()
    expect(logist.locator("#task-fields")).to_contain_text(shown(remind_at, "lv"))
    shot(logist, "08-task-with-reminder")
    with server_turn():
        assert Task.objects.get(pk=installation.task_id).remind_at == remind_at
    with translation.override("lv"):
        your_turn = translation.gettext("Your turn in “%(process)s”: %(stage)s") % {
            "process": PROCESS,
            "stage": "Installation",
        }
    logist.goto(f"{base}/notifications/")
    expect(logist.locator("#notifications")).to_contain_text(your_turn)
    logist.locator("#read-all").click()
    expect(logist.locator("#notifications [data-unread='1']")).to_have_count(0)
    expect(logist.locator("#notification-count")).to_have_count(0)

    # 8. Two hours pass; the scheduler runs the reminders: the bell counts one unread, the
    # notification centre has the reminder, and the SMTP server got it, in Latvian.
    time_passes(datetime.timedelta(hours=2))
    scheduler_tick()
    with server_turn():
        task = Task.objects.get(pk=installation.task_id)
        assert task.reminded_at is not None
    with translation.override("lv"):
        title = translation.gettext("Reminder: %(title)s is due at %(time)s") % {
            "title": task.title,
            "time": shown(task.due_at, "lv"),
        }
        footer = translation.gettext("This message is also in your notification centre in Rapport.")
    # Latvian, not English: the footer's words and the due time's form.
    assert footer != "This message is also in your notification centre in Rapport."
    assert shown(task.due_at, "lv") != shown(task.due_at, "en")
    unread_badge(logist, 1)
    logist.locator("#notification-bell > a").click()
    expect(logist.locator("#notification-menu .list-group-item").first).to_contain_text(title)
    shot(logist, "09-bell-with-reminder", full_page=False)
    logist.goto(f"{base}/notifications/")
    unread = logist.locator("#notifications [data-unread='1']")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text(title)
    shot(logist, "10-notification-centre")
    [mail] = [m for m in smtp_server.parsed("ilze@example.com") if m["subject"] == title]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert footer in text
    assert f"/tasks/{task.pk}/" in text

    # 9. Four more days pass: the installation is overdue. The rep, who controls the process,
    # is told (in the app and by e-mail) and sees the deviation on the deal card; the head
    # sees the process lead the dashboard.
    time_passes(datetime.timedelta(days=4))
    scheduler_tick()
    page.reload()
    late = stages.nth(2)
    expect(late).to_have_class(re.compile(r"\btable-warning\b"))
    expect(late.locator(".stage-deviation")).to_have_attribute("data-deviation", "overdue")
    expect(page.locator("#record-processes .process-deviations")).to_have_text("1 deviation")
    tasks_card = page.locator("#record-tasks")
    expect(tasks_card.locator("li", has_text="Installation")).to_contain_text("overdue")
    shot(page, "11-deal-card-overdue-stage")
    overdue_title = f"Overdue: “Installation” in “{PROCESS}”"
    page.goto(f"{base}/notifications/")
    expect(page.locator("#notifications")).to_contain_text(overdue_title)
    assert [m["subject"] for m in smtp_server.parsed("rep@example.com")].count(overdue_title) == 1
    head.reload()
    menu(head, "/processes/")
    first = head.locator("#process-dashboard tbody tr").first
    expect(first).to_have_attribute("data-process", str(process.pk))
    expect(first).to_have_class(re.compile(r"\btable-danger\b"))
    expect(first.locator("[data-deviation=overdue]")).to_be_visible()
    expect(first).to_contain_text("Installation")
    expect(first).to_contain_text("Ilze Kalniņa")
    shot(head, "12-process-dashboard-overdue")

    # 10. The rep plans the commissioning with the customer's buyer from the deal card.
    page.goto(deal_url)
    page.locator("#record-new-meeting").click()
    day = timezone.localdate() + datetime.timedelta(days=2)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    ends = starts + datetime.timedelta(minutes=90)
    page.fill("#id_title", MEETING)
    page.fill("#id_starts_at", local_input(starts))
    page.fill("#id_ends_at", local_input(ends))
    page.fill("#id_place", "Own Customer SIA, boiler room")
    buyer = world.people["own"]
    choose(page, "id_people", buyer.last_name, str(buyer))
    shot(page, "13-meeting-form")
    page.locator("#meeting-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/meetings/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text(f"Planned: {MEETING}")
    expect(page.locator("#meeting-participants")).to_contain_text(str(buyer))
    with server_turn():
        meeting = Meeting.objects.get(title=MEETING)
        assert (meeting.starts_at, meeting.ends_at, meeting.object_id) == (starts, ends, deal.pk)
    page.locator(f"a[href^='/calendar/?date={day.isoformat()}']").click()
    expect(page.locator(f'[data-event-id="meeting-{meeting.pk}"]')).to_contain_text(MEETING)
    shot(page, "14-calendar")

    # 11. The rep's calendar feed: the secret address, read over HTTP as a calendar program would
    # (no session), has the meeting at its time with the buyer invited.
    page.locator("#calendar-feed-link").click()
    page.locator("#feed-create").click()
    feed_url = page.locator("#feed-url").input_value()
    assert feed_url.startswith(f"{base}/calendar/feed/") and feed_url.endswith(".ics")
    shot(page, "15-calendar-feed")
    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.read())
    events = {str(e.get("summary")): e for e in calendar.walk("VEVENT")}
    event = events[MEETING]
    assert event.decoded("dtstart") == starts and event.decoded("dtend") == ends
    assert str(event.get("location")) == "Own Customer SIA, boiler room"
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:own.person@example.com"]
    with server_turn():
        assert CalendarFeed.objects.get(user=rep).last_used_at is not None
        # Every message the journey sent went out over SMTP (none waits in the outbox).
        assert OutboxMessage.objects.exists()
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert not watch.problems, watch.problems
