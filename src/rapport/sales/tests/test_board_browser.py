"""The board in Debian's chromium: drag a card to another column with the mouse; the deal's stage
changes in the database and the column totals follow. A move to a lost stage asks why; a move
the server refuses puts the card back and shows the reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world
from rapport.sales.models import Deal
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
TIMEOUT = 15_000


def _drag(page: Page, card, column) -> None:
    """A real mouse drag, in small steps (SortableJS follows the pointer)."""
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    target = column.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 20, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=20)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 40, steps=5)
    page.mouse.up()


def test_drag_a_card_across_the_board(live_server, page: Page):
    problems: list[str] = []
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)
    page.set_viewport_size({"width": 1800, "height": 1000})  # every column on the screen
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    world = build_world()
    admin, rep = world.user("admin"), world.user("rep")
    pipeline = make_pipeline(admin, noun="project", plural="projects")
    reason = make_reason(admin, "Price too high")
    mover = make_deal(rep, pipeline, world.companies["own"], name="Boiler retrofit", amount="1500")
    make_deal(rep, pipeline, world.companies["own"], name="Stays put", amount="200")
    other = make_pipeline(admin, name="Renewals")
    qualification, proposal = stage(pipeline, "Qualification"), stage(pipeline, "Proposal")

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#user-menu")).to_have_count(1)

    page.goto(f"{base}/deals/board/{pipeline.pk}/")
    expect(page.locator("h1")).to_contain_text("board of projects")
    card = page.locator(f"#deal-{mover.pk}")
    expect(card).to_be_visible()  # the column's cards loaded lazily
    head_from = page.locator(f"#col-head-{qualification.pk}")
    head_to = page.locator(f"#col-head-{proposal.pk}")
    expect(head_from.locator("[data-totals]")).to_contain_text("1,700.00 EUR")

    # 1. Drag to "Proposal": the database follows, and both headers are recounted.
    expect(page.locator(".board-loading")).to_have_count(0)  # every column has its cards
    _drag(page, card, page.locator(f"#col-{proposal.pk}"))
    expect(page.locator(f"#col-{proposal.pk} #deal-{mover.pk}")).to_be_visible()
    expect(head_to.locator("[data-totals]")).to_contain_text("1,500.00 EUR")
    expect(head_to.locator("[data-count]")).to_have_text("1")
    expect(head_from.locator("[data-totals]")).to_contain_text("200.00 EUR")
    expect(head_from.locator("[data-count]")).to_have_text("1")
    assert Deal.objects.get(pk=mover.pk).stage_id == proposal.pk

    # 2. Someone else edits the deal meanwhile: the next drag is refused, the card goes back.
    from rapport.sales.services.deals import deal_move

    deal_move(actor=world.user("teammate"), deal=mover, stage=stage(pipeline, "Negotiation"))
    deal_move(actor=world.user("teammate"), deal=mover, stage=proposal)
    _drag(
        page, page.locator(f"#deal-{mover.pk}"), page.locator(f"#col-{stage(pipeline, 'Won').pk}")
    )
    expect(page.locator("#board-feedback .alert-danger")).to_contain_text("Someone else changed")
    expect(page.locator(f"#col-{proposal.pk} #deal-{mover.pk}")).to_be_visible()
    assert Deal.objects.get(pk=mover.pk).status == "open"

    # 3. After a reload, a drop on "Lost" asks for the reason in a dialog.
    page.reload()
    lost = stage(pipeline, "Lost")
    expect(page.locator(".board-loading")).to_have_count(0)  # every column has its cards
    _drag(page, page.locator(f"#deal-{mover.pk}"), page.locator(f"#col-{lost.pk}"))
    dialog = page.locator("#lost-modal")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=lost_reason]").select_option(str(reason.pk))
    dialog.locator("input[name=lost_note]").fill("cheaper offer elsewhere")
    dialog.locator("#lost-submit").click()
    expect(page.locator(f"#col-{lost.pk} #deal-{mover.pk}")).to_be_visible()
    expect(page.locator(f"#col-head-{lost.pk} [data-count]")).to_have_text("1")
    deal = Deal.objects.get(pk=mover.pk)
    assert deal.status == "lost" and deal.lost_reason == reason and deal.closed_at
    assert deal.lost_note == "cheaper offer elsewhere"
    assert other.stages.count() == 5
    page.screenshot(path="/tmp/rapport-board.png", full_page=True)
    assert not problems, problems
