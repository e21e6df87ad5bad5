"""The proposal card in Debian's chromium: a line picked with Tom Select, a discount edited
inline, the totals refreshed by htmx, and the PDF served."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world
from rapport.orders.tests.test_proposals import make_catalogue, make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/rapport-proposals")


def test_lines_are_edited_in_place(live_server, page: Page):
    from rapport.orders.models import Proposal
    from rapport.orders.services.proposals import proposal_create

    world = build_world()
    make_catalogue()
    deal = make_deal(world)
    proposal = proposal_create(actor=world.users["rep"], deal=deal, title="Browser offer")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", "Test-pass-123!")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}{proposal.get_absolute_url()}")
    # Pick the product by typing part of its name in Tom Select.
    page.locator("#line-add-form .ts-control input").fill("Widg")
    page.locator(".ts-dropdown .option", has_text="Widget").first.click()
    page.fill("#line-add-form input[name=quantity]", "2")
    page.locator("#line-add").click()
    total = page.locator("#proposal-total")
    expect(total).to_have_text("242.00")
    # The discount typed into the row is saved on change and the totals follow.
    discount = page.locator("#proposal-line-table tbody tr input[name=discount_percent]")
    discount.fill("10")
    discount.press("Tab")
    expect(total).to_have_text("217.80")
    expect(page.locator("#proposal-discount-total")).to_contain_text("20.00")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "proposal-card.png"), full_page=True)
    # The header form got the new revision, so saving it after the line edits works.
    page.fill("#id_title", "Browser offer, revised")
    page.locator("#proposal-header-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(proposal.number)
    assert Proposal.objects.get(pk=proposal.pk).title == "Browser offer, revised"
    pdf = page.request.get(f"{base}/proposals/{proposal.pk}/pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert not errors, errors
