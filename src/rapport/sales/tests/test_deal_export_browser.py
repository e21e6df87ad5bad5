"""In Debian's chromium: a rep filters the deal list, exports it and downloads the file."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from conftest import build_world, run_task_worker
from rapport.sales.tests.deals_factories import make_deal, make_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000


def test_the_deal_list_exports_what_it_shows(live_server, page: Page):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    world = build_world()
    pipeline = make_pipeline(world.user("admin"))
    rep = world.user("rep")
    for name in ("Fibre roll-out", "Fibre survey", "Printer lease"):
        make_deal(rep, pipeline, world.companies["own"], name=name)
    make_deal(world.user("outsider"), pipeline, world.companies["foreign"], name="Fibre abroad")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/deals/?q=Fibre&sort=name")
    expect(page.locator("#deal-table tbody tr")).to_have_count(2)
    page.locator("#deal-export button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Export of deals")
    expect(page.locator("#job-progress")).to_be_visible()
    run_task_worker()
    expect(page.locator("#export-report")).to_have_text("2 deals exported.", timeout=TIMEOUT)
    with page.expect_download() as info:
        page.locator("#download-link").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    content = io.BytesIO(info.value.path().read_bytes())  # the saved copy has no extension
    sheet = load_workbook(content, read_only=True).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Fibre roll-out", "Fibre survey"]
    page.get_by_role("link", name="Back to the deals").click()
    expect(page).to_have_url(f"{base}/deals/?q=Fibre&sort=name")
    assert problems == []
