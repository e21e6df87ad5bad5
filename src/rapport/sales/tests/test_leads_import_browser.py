"""In Debian's chromium: a rep uploads a file of leads and watches the import finish."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world, run_task_worker, server_turn
from rapport.core.models import Job
from rapport.sales.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000
CSV = "last_name,company,email\nSala,Sala SIA,ieva@sala.lv\nOzols,,juris@example.com\n"


def test_the_import_page_shows_the_progress_and_the_report(live_server, page: Page):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    build_world()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/leads/")
    page.locator("a[href='/leads/import/']").click()
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "fair.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.fill("input[name=campaign]", "Fair")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("fair.csv")
    with server_turn():
        assert Job.objects.get(kind="sales.lead_import").status == "queued"
    run_task_worker()
    progress = page.locator("#job-progress [role=progressbar]")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=TIMEOUT)
    expect(page.locator("#import-report")).to_contain_text("2 leads imported.")
    with server_turn():
        imported = sorted(Lead.objects.values_list("last_name", "campaign"))
    assert imported == [
        ("Ozols", "Fair"),
        ("Sala", "Fair"),
    ]
    assert problems == []
