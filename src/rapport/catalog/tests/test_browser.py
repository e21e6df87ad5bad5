"""In Debian's chromium: an administrator adds a product, prices it with a quantity break, and
puts two customers into the dealers' group with the company picker; a rep reads the card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from conftest import build_world
from rapport.catalog import services
from rapport.catalog.models import CustomerGroupMembership, PriceListItem, Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")


def pick(page, form: str, text: str, option: str) -> None:
    page.locator(f"{form} .ts-control").first.click()
    with page.expect_response(lambda r: "/autocomplete/" in r.url):
        page.keyboard.type(text, delay=30)
    page.locator(".ts-dropdown .option", has_text=option).click()
    expect(page.locator(f"{form} .ts-dropdown")).to_be_hidden()


def test_admin_keeps_the_catalogue_and_a_rep_reads_it(live_server, browser: Browser):
    world = build_world()
    admin = world.users["admin"]
    base_eur = services.price_list_create(actor=admin, name="Base EUR", currency="EUR")
    dealers = services.customer_group_create(actor=admin, name="Dealers")
    base = live_server.url
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    try:
        sign_in(page, base, "admin")
        page.get_by_role("link", name="Catalogue").first.click()
        page.locator("a", has_text="New").click()
        page.fill("#id_name", "Access point AX")
        page.fill("#id_sku", "NET-APAX")
        page.fill("#id_cost_price", "95")
        page.fill("#id_stock_level", "130")
        page.locator("#product-form button[type=submit]").click()
        expect(page.locator("#stock-level")).to_contain_text("130")
        product = Product.objects.get(sku="NET-APAX")

        page.goto(f"{base}/catalog/price-lists/{base_eur.pk}/")
        for quantity, price in (("1", "149"), ("10", "139")):
            pick(page, "#catalog-form", "AX", "Access point AX")
            page.fill("#id_min_quantity", quantity)
            page.fill("#id_price", price)
            page.locator("#catalog-form button[type=submit]").first.click()
            expect(page.locator("#price-items")).to_contain_text(f"{price}.00")
        assert PriceListItem.objects.filter(product=product).count() == 2

        page.goto(f"{base}/catalog/customer-groups/{dealers.pk}/")
        pick(page, "#assign-form", "Own", world.companies["own"].name)
        pick(page, "#assign-form", "Foreign", world.companies["foreign"].name)
        page.locator("#assign-form button[type=submit]").click()
        expect(page.locator("#group-members li")).to_have_count(2)
        assert CustomerGroupMembership.objects.filter(group=dealers).count() == 2
    finally:
        context.close()

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, "rep")
        page.goto(f"{base}/catalog/products/?q=apax")
        page.locator("#product-table a", has_text="Access point AX").click()
        expect(page.locator("#product-prices")).to_contain_text("139.00 EUR")
        expect(page.locator("a", has_text="Edit")).to_have_count(0)
    finally:
        context.close()
    assert not problems, problems
