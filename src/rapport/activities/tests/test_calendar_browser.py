"""The calendar in Debian's chromium: a rep sees the week with a meeting and a task, drags the
meeting and the task to other times (the database follows), and a move the server refuses puts
the event back with the reason."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import build_world, server_turn
from rapport.activities.models import Meeting, Task
from rapport.activities.services.meetings import meeting_cancel, meeting_create
from rapport.activities.services.tasks import task_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _drag_to(page: Page, event, day: datetime.date, time: str) -> None:
    """A real mouse drag of ``event`` to the slot ``time`` of ``day`` (FullCalendar follows the
    pointer); the event is held near its top, away from its resize handle."""
    page.evaluate("window.scrollTo(0, 0)")
    box = event.bounding_box()
    column = page.locator(f'td.fc-timegrid-col[data-date="{day.isoformat()}"]').bounding_box()
    slot = page.locator(f'td.fc-timegrid-slot-lane[data-time="{time}"]').bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + 6
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x, start_y + 8, steps=4)
    target_x = column["x"] + column["width"] / 2
    target_y = slot["y"] + 4
    page.mouse.move(target_x, target_y, steps=25)
    page.mouse.move(target_x, target_y + 1, steps=3)
    page.mouse.up()
    # The drag is over when FullCalendar has dropped its mirror of the event.
    expect(page.locator(".fc-event-mirror")).to_have_count(0)


def test_drag_a_meeting_and_a_task_to_another_time(live_server, page: Page):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole day on the screen
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    page.on(
        "request",
        lambda r: (
            problems.append(f"outside request {r.url}")
            if not r.url.startswith(live_server.url)
            else None
        ),
    )
    world = build_world()
    rep = world.user("rep")
    day = timezone.localdate() + datetime.timedelta(days=1)
    meeting = meeting_create(
        actor=rep,
        title="Boiler review",
        starts_at=_local(day, 10),
        ends_at=_local(day, 11),
        company=world.companies["own"],
        people=[world.people["own"]],
        place="Plant 2",
    )
    other = meeting_create(
        actor=rep,
        title="Pricing call",
        kind="call",
        starts_at=_local(day, 16),
        ends_at=_local(day, 17),
    )
    task = task_create(actor=rep, title="Send the offer", assignee=rep, due_at=_local(day, 8))

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#user-menu")).to_have_count(1)

    page.goto(f"{base}/calendar/?date={day.isoformat()}")
    event = page.locator(f'[data-event-id="meeting-{meeting.pk}"]')
    expect(event).to_contain_text("Boiler review")
    expect(event).to_contain_text("10:00")
    expect(page.locator(f'[data-event-id="task-{task.pk}"]')).to_contain_text("Send the offer")
    page.screenshot(path="/tmp/rapport-calendar.png", full_page=True)

    # 1. The meeting moves to 13:00 and keeps its hour; the page says so.
    _drag_to(page, event, day, "13:00:00")
    expect(page.locator("#calendar-feedback .alert-success")).to_have_text("Moved.")
    with server_turn():
        moved = Meeting.objects.get(pk=meeting.pk)
    assert (moved.starts_at, moved.ends_at) == (_local(day, 13), _local(day, 14))
    assert moved.sequence == 1

    # 2. The task's due time moves to 09:30.
    _drag_to(page, page.locator(f'[data-event-id="task-{task.pk}"]'), day, "09:30:00")
    expect(page.locator("#calendar").locator(f'[data-event-id="task-{task.pk}"]')).to_contain_text(
        "09:30"
    )
    expect(page.locator("#calendar-feedback .alert-success")).to_be_visible()
    with server_turn():
        assert Task.objects.get(pk=task.pk).due_at == _local(day, 9, 30)

    # 3. Cancelled meanwhile (another tab): the drag is refused, the event goes back, the reason
    #    shows.
    with server_turn():
        meeting_cancel(actor=rep, meeting=other)
    call = page.locator(f'[data-event-id="meeting-{other.pk}"]')
    _drag_to(page, call, day, "19:00:00")
    expect(page.locator("#calendar-feedback .alert-danger")).to_contain_text(
        "This meeting is cancelled: it can no longer be changed."
    )
    expect(call).to_contain_text("16:00")
    with server_turn():
        assert Meeting.objects.get(pk=other.pk).starts_at == _local(day, 16)

    # 4. The month view shows them too.
    page.locator(".fc-dayGridMonth-button").click()
    expect(page.locator(f'[data-event-id="meeting-{meeting.pk}"]')).to_be_visible()
    page.screenshot(path="/tmp/rapport-calendar-month.png", full_page=True)
    assert not problems, problems
