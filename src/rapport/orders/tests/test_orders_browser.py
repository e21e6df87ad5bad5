"""In chromium: from the order card, a partial invoice is made, its draft quantities edited in
place, issued, a partial payment is recorded, a shipment is sent and found in the shipments list,
and the card shows what is still outstanding."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import build_world
from tests.app_rules.orders_documents import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_to_invoice_payment_and_shipment(live_server, page: Page):
    world = build_world()
    order = make_order(world)
    widget, installation = order.lines.order_by("position")
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

    page.locator("#mainnav .dropdown-toggle", has_text="Documents").click()
    page.locator("#mainnav a[href='/orders/']").click()
    page.locator(f"main a[href='/orders/{order.pk}/']").click()
    page.locator(f"a[href='/orders/{order.pk}/invoice/']").click()
    page.fill(f"input[name=line_{widget.pk}]", "4")
    page.fill(f"input[name=line_{installation.pk}]", "0")
    page.locator("#invoice-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Draft invoice")
    # The draft's quantities are edited in place: a bad one is explained, a good one saved and
    # the card's totals follow, without leaving the page.
    quantity = page.locator(f"#invoice-lines input[name=line_{widget.pk}]")
    quantity.fill("-1")
    page.locator("#invoice-lines-save").click()
    expect(page.locator("#invoice-lines-error")).to_contain_text("cannot be negative")
    expect(page.locator("#invoice-due")).to_contain_text("435.60")
    page.locator(f"#invoice-lines input[name=line_{widget.pk}]").fill("5")
    page.locator("#invoice-lines-save").click()
    expect(page.locator("#invoice-lines-saved")).to_be_visible()
    expect(page.locator("#invoice-due")).to_contain_text("544.50")  # 5 × 90 + 21 %
    page.locator(f"#invoice-lines input[name=line_{widget.pk}]").fill("4")
    page.locator("#invoice-lines-save").click()
    expect(page.locator("#invoice-total")).to_contain_text("435.60")
    page.locator("button[name=to][value=issue]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "issued")

    page.fill("#payment-form input[name=amount]", "1000")
    page.locator("#payment-form button[type=submit]").click()
    expect(page.locator("#payment-form")).to_contain_text("Only 435.60 EUR is due")
    page.fill("#payment-form input[name=amount]", "135.60")
    page.locator("#payment-form button[type=submit]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "partially_paid")
    expect(page.locator("#invoice-due")).to_contain_text("300.00")

    page.locator(f"a[href='/orders/{order.pk}/']").first.click()
    page.locator(f"a[href='/orders/{order.pk}/ship/']").click()
    page.fill(f"input[name=line_{widget.pk}]", "2")
    page.locator("#shipment-form button[type=submit]").click()
    page.locator("button[name=to][value=ship]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "shipped")

    page.locator("#mainnav .dropdown-toggle", has_text="Documents").click()
    page.locator("#mainnav a[href='/shipments/']").click()
    expect(page.locator("#shipment-table")).to_contain_text("Widget × 2")
    page.locator(f"#shipment-table a[href='/orders/{order.pk}/']").click()
    expect(page.locator("#order-outstanding")).to_contain_text("300.00")
    expect(page.locator("#order-shipments")).to_contain_text("Widget × 2")
    expect(page.locator("#order-lines")).to_contain_text("4")
    assert not errors, errors
