"""In Debian's chromium: a visitor sends the public form (with UTM tags), a rule gives the lead to a
rep, and the rep converts it into a deal from the lead card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world
from rapport.sales.models import Deal, DistributionRule, Lead, LeadWebForm, Pipeline, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000


def test_a_visitor_sends_the_form_and_the_rep_converts_the_lead(live_server, page: Page, browser):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    world = build_world()
    form = LeadWebForm.objects.create(name="Contact us", key="contact", team=world.teams["a"])
    DistributionRule.objects.create(name="Site to team A", web_form=form, team=world.teams["a"])
    pipeline = Pipeline.objects.create(name="New business", currency="EUR")
    Stage.objects.create(pipeline=pipeline, name="First talk", position=1)
    base = live_server.url

    visitor = browser.new_context(locale="lv-LV")
    public = visitor.new_page()
    public.set_default_timeout(TIMEOUT)
    public.goto(f"{base}/f/contact/?utm_source=ads&utm_medium=cpc&utm_campaign=winter")
    expect(public.locator("html")).to_have_attribute("lang", "lv")
    public.fill("#id_first_name", "Marta")
    public.fill("#id_last_name", "Vītola")
    public.fill("#id_company_name", "Vītola Ceramics")
    public.fill("#id_email", "marta@vitola.example")
    public.wait_for_timeout(2200)  # a person takes longer than the robots' limit
    public.locator("#webform button[type=submit]").click()
    expect(public.locator("#webform-thanks")).to_be_visible()
    visitor.close()

    lead = Lead.objects.get()
    assert (lead.owner, lead.utm_source, lead.utm_campaign, lead.language) == (
        world.users["rep"],
        "ads",
        "winter",
        "lv",
    )

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/leads/?source=web_form")
    page.get_by_role("link", name="Marta Vītola").click()
    expect(page.locator("#lead-utm")).to_contain_text("utm_source=ads")
    page.locator("#convert-lead").click()
    page.select_option("select[name=pipeline]", label="New business")
    page.fill("#id_amount", "990")
    page.locator("#convert-submit").click()
    expect(page).to_have_url(f"{base}/deals/{Deal.objects.get().pk}/")
    deal = Deal.objects.get()
    assert (deal.company.name, deal.person.last_name, deal.amount, deal.owner) == (
        "Vītola Ceramics",
        "Vītola",
        990,
        world.users["rep"],
    )
    assert not problems, problems
