"""In Debian's chromium: an administrator builds a rule in the editor (each choice re-renders it
with htmx), a deal reaches the stage, the worker runs the rule and the run log shows it."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world, run_task_worker, server_turn
from rapport.activities.models import Task
from rapport.automation.models import Rule
from rapport.sales.services.deals import deal_move
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000


def _choose(page: Page, selector: str, value: str) -> None:
    """Pick an option; htmx re-renders the editor: wait until the new one has settled (the
    next step must not act on the editor being replaced)."""
    page.evaluate(
        """() => { window.ruleSettled = false;
        document.body.addEventListener("htmx:afterSettle", () => { window.ruleSettled = true; },
                                       {once: true}); }"""
    )
    page.select_option(selector, value)
    page.wait_for_function(
        "window.ruleSettled === true && !document.querySelector('.htmx-request')"
    )
    expect(page.locator(selector)).to_have_value(value)


def test_an_administrator_builds_a_rule_and_sees_it_run(live_server, page: Page):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    world = build_world()
    admin, rep = world.users["admin"], world.users["rep"]
    pipeline = make_pipeline(admin)
    deal = make_deal(rep, pipeline, world.companies["own"], name="Harbour cranes", amount="25000")
    negotiation = stage(pipeline, "Negotiation")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    page.locator("#admin-menu").click()
    page.get_by_role("link", name="Automation rules").click()
    page.locator("#rule-new").click()

    page.fill("#id_name", "Negotiation → contract task")
    _choose(page, "#id_record_type", "sales.deal")
    _choose(page, "#id_trigger", "stage_reached")
    page.select_option("#id_trigger_stage", str(negotiation.pk))
    _choose(page, "#conditions-0-field", "amount")
    _choose(page, "#conditions-0-operator", ">=")
    page.fill("#conditions-0-value", "10000")
    _choose(page, "#actions-0-type", "create_task")
    page.fill("#actions-0-title", "Prepare the contract for {{ name }}")
    page.fill("#actions-0-due_in_days", "2")
    if os.environ.get("RAPPORT_SCREENSHOTS"):
        page.screenshot(path=os.environ["RAPPORT_SCREENSHOTS"] + "/rule_editor.png", full_page=True)
    page.locator("#rule-save").click()
    expect(page.locator(".alert-success")).to_contain_text("is saved")
    # The values chosen survived every re-render.
    rule = Rule.objects.get()
    assert rule.trigger_stage == negotiation.pk
    assert rule.conditions == [{"field": "amount", "operator": ">=", "value": "10000"}]
    assert rule.actions[0]["title"] == "Prepare the contract for {{ name }}"

    with server_turn():
        deal_move(actor=rep, deal=deal, stage=negotiation)
    run_task_worker()
    with server_turn():
        task = Task.objects.get(title="Prepare the contract for Harbour cranes")
        assert task.assignee == rep

    page.goto(f"{base}/settings/automation/")
    row = page.locator(f'#rule-table tr[data-rule="{rule.pk}"]')
    expect(row).to_contain_text("Deal: stage “Negotiation” reached")
    row.get_by_role("link", name="Run log").click()
    expect(page.locator("#run-table tbody tr")).to_have_count(1)
    expect(page.locator("#run-table")).to_contain_text("Harbour cranes")
    expect(page.locator("#run-table")).to_contain_text("done")
    if os.environ.get("RAPPORT_SCREENSHOTS"):
        page.screenshot(path=os.environ["RAPPORT_SCREENSHOTS"] + "/rule_runs.png", full_page=True)
    assert Decimal(deal.amount) >= 10000
    assert not problems, problems
