"""In Debian's chromium at 1280 px: a rep hands a task to logistics, a clerk there acknowledges
it, and the rep sees who acknowledged it and when; an overdue one shows its escalation."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from conftest import build_world, server_turn
from rapport.activities.models import Handoff
from rapport.activities.services.handoffs import claim_due_escalations
from rapport.activities.tests.test_handoffs_services import logistics, rep_task, send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000
# Set to a folder to keep the screenshots (to look at the pages as a user would).
SHOTS = os.environ.get("RAPPORT_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def signed_in(browser: Browser, base: str, username: str, problems: list):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    return page


def test_a_handoff_from_sending_to_acknowledgement(live_server, browser: Browser):
    problems: list[str] = []
    base = live_server.url
    with server_turn():
        world = build_world()
        dept = logistics()
        task = rep_task(world, title="Deliver the pumps to the site")
        late = send(world, dept, task=rep_task(world, title="Pick up the old boiler"))
        Handoff.objects.filter(pk=late.pk).update(
            deadline=timezone.now() - datetime.timedelta(hours=5)
        )
        claim_due_escalations()

    rep = signed_in(browser, base, "rep", problems)
    rep.goto(f"{base}/handoffs/new/?task={task.pk}")
    expect(rep.locator("h1")).to_have_text("Hand off to another department")
    rep.select_option("#id_to_department", label="Logistics")
    deadline = timezone.localtime() + datetime.timedelta(days=2)
    rep.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    rep.fill("#id_note", "Two pallets; call before you come.")
    shot(rep, "handoff-form")
    rep.get_by_role("button", name="Hand off").click()
    expect(rep.locator(".alert-success")).to_contain_text("Handed over to Logistics.")
    expect(rep.locator("#handoff-fields")).to_contain_text("waiting for acknowledgement")
    shot(rep, "handoff-detail")

    clerk = signed_in(browser, base, "logistics.clerk", problems)
    clerk.goto(f"{base}/handoffs/")
    rows = clerk.locator("#handoff-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Pick up the old boiler")  # overdue, first
    expect(rows.nth(0)).to_have_class("table-danger handoff-overdue")
    # The clerk reads Russian.
    expect(rows.nth(0)).to_contain_text("Эскалировано пользователю Logistics.head Tester")
    expect(rows.nth(1)).to_contain_text("Deliver the pumps to the site")
    expect(clerk.locator("#handoff-tabs .badge")).to_have_text("2")
    shot(clerk, "handoff-incoming")
    rows.nth(1).get_by_role("button", name="Подтвердить").click()
    expect(clerk.locator(".alert-success")).to_contain_text(
        "Подтверждено: Deliver the pumps to the site. Пользователь Rep Tester уведомлен."
    )
    expect(clerk.locator("#handoff-tabs .badge")).to_have_text("1")

    rep.goto(f"{base}/handoffs/?tab=sent")
    mine = rep.locator("#handoff-table tbody tr", has_text="Deliver the pumps to the site")
    expect(mine.locator(".handoff-state")).to_contain_text("acknowledged")
    expect(mine.locator(".handoff-state")).to_contain_text("by Logistics.clerk Tester on")
    shot(rep, "handoff-sent")

    head = signed_in(browser, base, "logistics.head", problems)
    head.goto(f"{base}/handoffs/?tab=department")
    expect(head.locator("#handoff-table tbody tr")).to_have_count(2)
    shot(head, "handoff-department")
    assert problems == []
