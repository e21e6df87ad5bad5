"""In Debian's chromium: the top-bar entry leads to the reports, the charts draw, the customer
history drills down and the XLSX file downloads."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import build_world
from rapport.analytics.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "Test-pass-123!")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")


def test_reports_draw_charts_and_export(live_server, page: Page):
    from django.utils import timezone

    world = build_world()
    _pipe, (first, _second, won, _lost) = f.pipeline()
    rep, own = world.users["rep"], world.companies["own"]
    f.deal(stage=first, owner=rep, company=own, amount="1000.00", expected=timezone.localdate())
    f.deal(stage=won, owner=rep, company=own, amount="700.00", closed=f.days_ago(1))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    base = live_server.url
    sign_in(page, base, "rep")

    page.locator("#mainnav a[href='/analytics/reports/']").click()
    page.locator("a[href='/analytics/forecast/']").click()
    chart = page.locator("[data-chart='forecast-chart']")
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(chart.locator("svg")).to_have_count(1)
    expect(page.locator("#forecast-table")).to_contain_text("200")  # 1000 × 20 %
    page.screenshot(path="/tmp/rapport-analytics-forecast.png", full_page=True)

    page.goto(f"{base}/analytics/reports/customer-history/")
    expect(page.locator("[data-chart='report-chart']")).to_have_attribute("data-drawn", "1")
    page.locator("#report-table a", has_text=own.name).click()
    expect(page.locator("#report-note")).to_contain_text(own.name)
    expect(page.locator("#report-table tbody tr")).to_have_count(2)
    page.screenshot(path="/tmp/rapport-analytics-customer.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#xlsx-export").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.values)
    assert rows[0][0] == "Deal" and len(rows) == 3
    assert not errors, errors
