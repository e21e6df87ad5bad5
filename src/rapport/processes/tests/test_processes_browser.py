"""In chromium at 1280 px: a head creates a process template (a stage without an executor is
refused), a rep starts it on a deal from its card, the stages' tasks come in turn, a stage
cannot be skipped without a reason, and an overdue stage leads the process dashboard."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import build_world, server_turn
from rapport.processes.models import ProcessInstance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("RAPPORT_SCREENSHOTS", "")


def _login(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "Test-pass-123!")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    return page, errors


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_template_start_turns_skip_and_dashboard(live_server, browser):
    from rapport.activities.services.tasks import task_set_status
    from rapport.processes.services.instances import process_start
    from rapport.processes.tests.factories import make_deal

    world = build_world()
    deal = make_deal(world, name="Warehouse Wi-Fi")
    late_deal = make_deal(world, name="Server room")
    base = live_server.url

    # A head keeps the template: a stage without an executor is refused with a reason.
    page, errors = _login(browser, base, "head")
    page.locator("#mainnav .dropdown-toggle", has_text="Processes").click()
    page.locator("#mainnav a[href='/processes/templates/']").click()
    page.locator("#template-create").click()
    page.fill("#template-form input[name=name]", "Typical sales model")
    page.select_option("#template-form select[name=record_type]", "sales.deal")
    page.locator("#template-form button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text("Typical sales model")
    page.fill("#stage-form input[name=stage-name]", "Qualification")
    page.locator("#stage-form button[type=submit]").click()
    expect(page.locator("#stage-form")).to_contain_text(
        "Choose who carries out the stage: a role, a department or a person."
    )
    page.select_option("#stage-form select[name=stage-executor_role]", "sales_rep")
    page.fill("#stage-form input[name=stage-duration_value]", "2")
    page.fill(
        "#stage-form textarea[name=stage-checklist]", "Budget confirmed\nDecision maker known"
    )
    page.locator("#stage-form button[type=submit]").click()
    expect(page.locator("#template-stages")).to_contain_text("Qualification")
    page.fill("#stage-form input[name=stage-name]", "Delivery")
    page.select_option("#stage-form select[name=stage-executor_department]", label="Sales")
    page.fill("#stage-form textarea[name=stage-documents]", "Delivery note")
    page.locator("#stage-form button[type=submit]").click()
    expect(page.locator("#template-stages tbody tr")).to_have_count(2)
    _shot(page, "process-template")

    # A rep starts it on a deal from the deal's card: the first stage is active, with its task.
    rep, rep_errors = _login(browser, base, "rep")
    rep.goto(f"{base}{deal.get_absolute_url()}")
    rep.select_option("#process-start-form select[name=template]", label="Typical sales model")
    rep.locator("#process-start-form button[type=submit]").click()
    section = rep.locator("#record-processes")
    expect(section).to_contain_text("Typical sales model")
    rows = section.locator("tr[data-stage]")
    expect(rows.nth(0).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "active"
    )
    expect(rows.nth(1).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "pending"
    )
    instance = ProcessInstance.objects.get(object_id=deal.pk)
    first = instance.stages.get(position=0)
    assert first.task.assignee == world.users["rep"]

    # The rep does the task: the next stage comes, in the Sales department's queue.
    with server_turn():
        task_set_status(actor=world.users["rep"], task=first.task, status="done")
    rep.reload()
    expect(rows.nth(0).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "done"
    )
    expect(rows.nth(1).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "active"
    )
    expect(rows.nth(1)).to_contain_text("Sales")

    # Skipping needs a reason.
    rows.nth(1).locator("details.skip-stage summary").click()
    rows.nth(1).locator("details.skip-stage button[type=submit]").click()
    expect(rep.locator(".alert-danger")).to_contain_text("Give the reason for skipping this stage.")
    expect(rows.nth(1).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "active"
    )
    rows.nth(1).locator("details.skip-stage summary").click()
    rows.nth(1).locator("details.skip-stage textarea").fill("Collected by the customer")
    rows.nth(1).locator("details.skip-stage button[type=submit]").click()
    expect(rows.nth(1).locator("[data-stage-status]")).to_have_attribute(
        "data-stage-status", "skipped"
    )
    expect(rows.nth(1)).to_contain_text("Collected by the customer")
    expect(section.locator(".badge", has_text="completed")).to_be_visible()
    _shot(rep, "process-deal-card")

    # A process started late on the plan leads the head's dashboard as overdue.
    with server_turn():
        late = process_start(
            actor=world.users["rep"],
            template=instance.template,
            record=late_deal,
            controller=world.users["head"],
            start_at=timezone.now() - datetime.timedelta(days=4),
        )
    page.locator("#mainnav .dropdown-toggle", has_text="Processes").click()
    page.locator("#mainnav a[href='/processes/']").click()
    first_row = page.locator("#process-dashboard tbody tr").first
    expect(first_row).to_have_attribute("data-process", str(late.pk))
    expect(first_row.locator("[data-deviation=overdue]")).to_be_visible()
    _shot(page, "process-dashboard")
    page.goto(f"{base}/processes/analytics/")
    expect(page.locator("#analytics-stages")).to_contain_text("Qualification")
    _shot(page, "process-analytics")
    assert not errors and not rep_errors, errors + rep_errors
