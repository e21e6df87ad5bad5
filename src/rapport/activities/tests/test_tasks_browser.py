"""In Debian's chromium: a reminder rings the bell (the badge updates without a reload), the rep
opens it, ticks the checklist in place, completes the task, is refused a due time in the past,
and plans the next step of a deal flagged as having none."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import build_world, server_turn
from rapport.activities import tasks as periodic
from rapport.activities.models import Task
from rapport.activities.services.tasks import task_create
from rapport.core.notifications import notify
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000
SHOTS = Path("/tmp/rapport-tasks")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_reminder_bell_checklist_and_next_step(live_server, page: Page, settings):
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    world = build_world()
    rep = world.user("rep")
    now = timezone.now()
    task = task_create(
        actor=rep,
        title="Call the buyer",
        assignee=rep,
        company=world.companies["own"],
        due_at=now + datetime.timedelta(hours=1),
        remind_at=now + datetime.timedelta(minutes=30),
        checklist=["Prices", "Delivery terms"],
    )
    Task.objects.filter(pk=task.pk).update(remind_at=now - datetime.timedelta(minutes=1))
    assert periodic.remind_due_tasks() == 1
    deal = make_deal(
        rep, make_pipeline(world.user("admin")), world.companies["own"], name="Boilers"
    )

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    badge = page.locator("#notification-count")
    expect(badge).to_have_text("1 unread notifications")

    # The bell opens on the latest; the reminder leads to the task and is read from then on.
    page.locator("#notification-bell > a").click()
    item = page.locator("#notification-menu a", has_text="Reminder: Call the buyer is due at")
    expect(item).to_be_visible()
    page.screenshot(path=str(SHOTS / "bell.png"))
    item.click()
    expect(page).to_have_url(f"{base}{task.get_absolute_url()}")
    expect(page.locator("#notification-count")).to_have_count(0)

    # The checklist ticks in place (htmx), the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    page.locator("#task-checklist input[type=checkbox]").nth(1).check()
    expect(page.locator("#task-checklist")).to_contain_text("1 of 2 done")
    assert page.evaluate("window.notReloaded") is True
    with server_turn():
        assert Task.objects.get(pk=task.pk).checklist[1]["done"] is True
    page.screenshot(path=str(SHOTS / "task.png"), full_page=True)
    page.locator("button[data-move=done]").click()
    expect(page.locator("#task-status")).to_have_text("Done")
    expect(page.locator("#task-history")).to_contain_text("Status: open → done")

    # A new notification shows on the bell at the next poll, without a reload.
    with server_turn():
        notify(users=[rep], kind="handoff", title="A delivery was handed to you")
    expect(page.locator("#notification-count")).to_have_text(
        "1 unread notifications", timeout=40_000
    )

    # The deal has no next step: flagged on its card; a due time in the past is refused.
    page.goto(f"{base}{deal.get_absolute_url()}")
    expect(page.locator("#no-next-step")).to_be_visible()
    page.locator("#record-new-task").click()
    expect(page.locator("#task-record")).to_contain_text("Boilers")
    page.fill("#id_title", "Send the offer")
    page.fill("#id_due_at", _local(timezone.now() - datetime.timedelta(days=1)))
    page.locator("#task-form button[type=submit]").click()
    expect(page.locator("#task-form .invalid-feedback")).to_contain_text(
        "The due time is in the past"
    )
    page.screenshot(path=str(SHOTS / "form-error.png"), full_page=True)
    with server_turn():
        assert not Task.objects.filter(title="Send the offer").exists()
    page.fill("#id_due_at", _local(timezone.now() + datetime.timedelta(days=2)))
    page.fill("#id_checklist", "Prices\nTerms")
    page.locator("#task-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}{deal.get_absolute_url()}")
    expect(page.locator("#record-tasks")).to_contain_text("Send the offer")
    expect(page.locator("#no-next-step")).to_have_count(0)

    page.goto(f"{base}/tasks/")
    expect(page.locator("#task-table")).to_contain_text("Send the offer")
    page.screenshot(path=str(SHOTS / "my-tasks.png"), full_page=True)
    assert problems == []
