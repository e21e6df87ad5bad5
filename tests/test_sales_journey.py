"""The sales "done means" journey in Debian's chromium against a live server: a visitor sends the
public form, a rule gives the lead to a rep, who converts it, drags the deal across the board,
makes a proposal with a discount, opens its PDF, has it accepted, invoices, takes a partial
payment, ships part of the order, and finds the whole chain on the customer's card; a rep of
another team gets 404 for all of it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
SHOTS = Path("/tmp/rapport-sales-journey")
TIMEOUT = 15_000

STAGES = [
    {"name": "Qualification", "probability": 10},
    {"name": "Proposal", "probability": 40},
    {"name": "Negotiation", "probability": 70},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
PRICE = Decimal("2500.00")
QUANTITY = 3
DISCOUNT = Decimal("8")  # within the sales reps' limit of 10 %
PAID = Decimal("3000.00")
SHIPPED = 2


@pytest.fixture
def watch():
    """Collect server errors and JavaScript errors of every page the test opens."""
    problems: list[str] = []

    def attach(page: Page) -> Page:
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} from {r.url}") if r.status >= 500 else None,
        )
        return page

    attach.problems = problems
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT)
    return attach


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("#user-menu")).to_have_count(1)


def not_found(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 404, f"{url}: {response and response.status}"
    if "html" in response.headers.get("content-type", ""):
        expect(page.locator("#not-found")).to_be_visible()


def _money(value: Decimal) -> str:
    """An amount as the pages show it to an English user ("8,349.00")."""
    with translation.override("en"):
        return str(floatformat(value, "2g"))


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


def _set_up_sales(world):
    """What an administrator configures before the first lead: all through the services."""
    from rapport.accounts.choices import Role
    from rapport.catalog.services import (
        discount_limit_set,
        price_list_create,
        price_list_item_create,
        product_create,
    )
    from rapport.orders.models import SellerDetails
    from rapport.orders.services.orders import seller_details_save
    from rapport.sales.choices import DistributionMethod
    from rapport.sales.models import DistributionRule, LeadWebForm
    from rapport.sales.services.distribution import distribution_rule_save, web_form_save
    from rapport.sales.services.pipelines import pipeline_create_with_stages

    admin = world.user("admin")
    pipeline = pipeline_create_with_stages(
        actor=admin, name="Heating projects", currency="EUR", stages=[dict(s) for s in STAGES]
    )
    product = product_create(
        actor=admin,
        name="Heat pump HP-9",
        sku="HP-9",
        unit="pcs",
        tax_rate=Decimal("21"),
        cost_price=Decimal("1600"),
    )
    price_list = price_list_create(actor=admin, name="General", currency="EUR")
    price_list_item_create(
        actor=admin, price_list=price_list, product=product, min_quantity=1, price=PRICE
    )
    discount_limit_set(actor=admin, role=Role.SALES_REP, max_percent=Decimal("10"))
    seller = SellerDetails.get()
    seller.name = "Rapport Heating SIA"
    seller.legal_address = "Brīvības iela 1, Rīga, LV-1010"
    seller.tax_number = "LV40000000999"
    seller.iban = "LV80BANK0000435195001"
    seller_details_save(actor=admin, details=seller)
    form = web_form_save(
        actor=admin,
        form=LeadWebForm(
            name="Website contact",
            key="website-contact",
            team=world.teams["a"],
            thank_you_message="Thank you, we will call you within a day.",
        ),
    )
    distribution_rule_save(
        actor=admin,
        rule=DistributionRule(
            name="Website leads to Rep",
            web_form=form,
            method=DistributionMethod.USER,
            team=world.teams["a"],
            user=world.user("rep"),
        ),
    )
    return pipeline, product, form


def test_lead_to_cash_journey(live_server, page: Page, browser: Browser, watch):
    from rapport.orders.models import Invoice, Order, Proposal, Shipment
    from rapport.sales.models import Deal, Lead

    world = build_world()
    rep = world.user("rep")
    pipeline, product, web_form = _set_up_sales(world)
    first, second = pipeline.stages.get(name="Qualification"), pipeline.stages.get(name="Proposal")
    base = live_server.url

    # 1. An anonymous visitor comes from the newsletter and sends the public form.
    visitor = browser.new_context()
    public = watch(visitor.new_page())
    try:
        public.goto(f"{base}/f/{web_form.key}/?utm_source=newsletter&utm_campaign=spring")
        public.fill("#id_company_name", "Kalns Heating SIA")
        public.fill("#id_first_name", "Ilze")
        public.fill("#id_last_name", "Kalniņa")
        public.fill("#id_email", "ilze@kalns-heating.example")
        public.fill("#id_message", "We need three heat pumps for our new warehouse.")
        shot(public, "01-webform")
        # A person takes longer than the form's robot guard (MIN_SECONDS) to fill it in.
        from rapport.sales.views.webform import MIN_SECONDS

        public.wait_for_timeout(MIN_SECONDS * 1000 + 300)
        public.locator("#webform button[type=submit]").click()
        expect(public.locator("#webform-thanks")).to_contain_text("we will call you within a day")
        shot(public, "02-webform-thanks")
    finally:
        visitor.close()
    lead = Lead.objects.get(email="ilze@kalns-heating.example")
    assert (lead.owner, lead.team, lead.web_form) == (rep, world.teams["a"], web_form)
    assert (lead.utm_source, lead.utm_campaign, lead.campaign) == ("newsletter", "spring", "spring")

    # 2. The rep finds the lead the rule gave them, sees where it came from and converts it.
    page = watch(page)
    page.set_viewport_size({"width": 1800, "height": 1000})  # every board column on the screen
    sign_in(page, base, "rep")
    page.locator("#mainnav a[href='/leads/']").click()
    row = page.locator("tr", has=page.get_by_role("link", name="Ilze Kalniņa"))
    expect(row).to_contain_text("Kalns Heating SIA")
    expect(row).to_contain_text("spring")
    expect(row).to_contain_text(str(rep))
    shot(page, "03-lead-list")
    row.get_by_role("link", name="Ilze Kalniņa").click()
    expect(page.locator("#lead-utm")).to_contain_text("utm_source=newsletter")
    expect(page.locator("#lead-utm")).to_contain_text("utm_campaign=spring")
    expect(page.locator("#lead-owner")).to_contain_text(str(rep))
    shot(page, "04-lead-card")
    page.locator("#convert-lead").click()
    page.select_option("select[name=pipeline]", label="Heating projects")
    page.select_option("select[name=stage]", value=str(first.pk))
    page.fill("#id_amount", "7500")
    shot(page, "05-lead-convert")
    page.locator("#convert-submit").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/deals/\d+/$"))
    deal = Deal.objects.get(lead=lead)
    assert page.url == f"{base}/deals/{deal.pk}/"
    company = deal.company
    assert company is not None and company.name == "Kalns Heating SIA"
    assert (deal.owner, deal.stage, deal.amount) == (rep, first, Decimal("7500"))
    expect(page.locator("h1")).to_contain_text(deal.name)
    shot(page, "06-deal-card")

    # 3. On the board the rep drags the card to the next stage; it stays there after a reload.
    page.goto(f"{base}/deals/board/{pipeline.pk}/")
    card = page.locator(f"#deal-{deal.pk}")
    expect(page.locator(f"#col-{first.pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator(".board-loading")).to_have_count(0)  # every column has its cards
    _drag(page, card, page.locator(f"#col-{second.pk}"))
    expect(page.locator(f"#col-{second.pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#col-head-{second.pk} [data-count]")).to_have_text("1")
    page.reload()
    expect(page.locator(f"#col-{second.pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#col-{first.pk} #deal-{deal.pk}")).to_have_count(0)
    shot(page, "07-board-after-drag")
    assert Deal.objects.get(pk=deal.pk).stage_id == second.pk

    # 4. From the deal card: a new proposal, a line of the product with a discount.
    page.locator(f"#deal-{deal.pk} a[href='/deals/{deal.pk}/']").click()
    expect(page).to_have_url(f"{base}/deals/{deal.pk}/")
    page.locator("#new-proposal").click()
    page.fill("#proposal-create-form input[name=title]", "Heat pumps for the warehouse")
    page.locator("#proposal-create-form button[type=submit]").click()
    expect(page.locator("#proposal-lines")).to_be_visible()
    proposal = Proposal.objects.get(deal=deal)
    expect(page).to_have_url(f"{base}{proposal.get_absolute_url()}")
    page.locator("#line-add-form .ts-control input").fill("Heat pump")
    page.locator(".ts-dropdown .option", has_text="Heat pump HP-9").first.click()
    page.fill("#line-add-form input[name=quantity]", str(QUANTITY))
    page.fill("#line-add-form input[name=discount_percent]", str(DISCOUNT))
    page.locator("#line-add").click()
    expect(page.locator("#proposal-line-table tbody tr[data-line]")).to_have_count(1)
    proposal.refresh_from_db()
    net = (PRICE * QUANTITY * (100 - DISCOUNT) / 100).quantize(Decimal("0.01"))
    assert proposal.net_total == net
    assert proposal.total == (net * Decimal("1.21")).quantize(Decimal("0.01"))
    expect(page.locator("#proposal-total")).to_have_text(_money(proposal.total))
    expect(page.locator("#proposal-discount-total")).to_contain_text(
        _money(proposal.discount_total)
    )
    expect(page.locator("#approval-badge")).to_have_count(0)  # within the limit: no approval
    shot(page, "08-proposal-with-line")

    # The PDF button opens the proposal's PDF in a new tab, and it is a real PDF.
    pdf_url = f"{base}{page.locator('#proposal-pdf').get_attribute('href')}"
    with page.context.expect_event("response", lambda r: r.url == pdf_url) as opened:
        page.locator("#proposal-pdf").click()
    response = opened.value
    assert response.status == 200, response.status
    assert response.headers["content-type"].startswith("application/pdf")
    pdf = page.request.get(pdf_url)  # the bytes the tab got (a PDF tab may not expose them)
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    for tab in page.context.pages:
        if tab is not page:
            tab.close()

    # The customer accepted: the order appears.
    page.locator("#proposal-accept").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/orders/\d+/$"))
    order = Order.objects.get(proposal=proposal)
    assert page.url == f"{base}/orders/{order.pk}/"
    assert order.total == proposal.total
    expect(page.locator("h1")).to_contain_text(str(order))
    expect(page.locator("#order-lines")).to_contain_text("Heat pump HP-9")
    shot(page, "09-order")

    # 5. A full invoice, issued; a partial payment.
    page.locator(f"a[href='/orders/{order.pk}/invoice/']").click()
    line = order.lines.get()
    expect(page.locator(f"input[name=line_{line.pk}]")).to_have_value(str(QUANTITY))
    page.locator("#invoice-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Draft invoice")
    page.locator("button[name=to][value=issue]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "issued")
    invoice = Invoice.objects.get(order=order)
    assert invoice.total == order.total and invoice.number
    page.fill("#payment-form input[name=amount]", str(PAID))
    page.locator("#payment-form button[type=submit]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "partially_paid")
    invoice.refresh_from_db()
    outstanding = invoice.total - invoice.amount_paid
    assert invoice.amount_paid == PAID and outstanding == invoice.amount_due > 0
    expect(page.locator("#invoice-due")).to_contain_text(_money(outstanding))
    shot(page, "10-invoice-partially-paid")

    # 6. A partial shipment, marked shipped.
    page.locator(f"a[href='/orders/{order.pk}/']").first.click()
    page.locator(f"a[href='/orders/{order.pk}/ship/']").click()
    page.fill(f"input[name=line_{line.pk}]", str(SHIPPED))
    page.locator("#shipment-form button[type=submit]").click()
    page.locator("button[name=to][value=ship]").click()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "shipped")
    shipment = Shipment.objects.get(order=order)
    page.locator(f"a[href='/orders/{order.pk}/']").first.click()
    expect(page.locator("#order-outstanding")).to_contain_text(_money(outstanding))
    expect(page.locator("#order-shipments")).to_contain_text(f"× {SHIPPED}")
    shot(page, "11-order-invoiced-paid-shipped")

    # 7. The customer's card shows the chain with the statuses and what is still owed.
    page.locator("main a", has_text="Kalns Heating SIA").first.click()
    expect(page).to_have_url(f"{base}/companies/{company.pk}/")
    documents = page.locator("#customer-documents")
    expect(documents).to_be_visible()
    expect(documents.locator(".chain-outstanding")).to_contain_text(_money(outstanding))
    expect(documents.locator(".chain-outstanding")).to_contain_text("EUR")
    order.refresh_from_db()
    chain = [
        (".chain-proposal", proposal.number, "accepted"),
        (".chain-order", str(order), order.status),
        (".chain-invoice", invoice.number, "partially_paid"),
        (".chain-shipment", str(shipment), "shipped"),
    ]
    for selector, label, status in chain:
        item = documents.locator(selector).first
        expect(item).to_contain_text(label)
        expect(item.locator(f"[data-status='{status}']").first).to_be_visible()
    payment = documents.locator(".chain-payment")
    expect(payment).to_have_count(1)
    expect(payment).to_contain_text(_money(PAID))
    expect(documents.locator(".chain-invoice")).to_contain_text(_money(outstanding))
    shot(page, "12-company-documents")
    assert not watch.problems, watch.problems

    # 8. A rep of another team does not even learn that the deal or the order exist.
    other_context = browser.new_context()
    other = watch(other_context.new_page())
    try:
        sign_in(other, base, "outsider")
        for url in (
            f"/deals/{deal.pk}/",
            f"/orders/{order.pk}/",
            f"/proposals/{proposal.pk}/",
            f"/invoices/{invoice.pk}/",
            f"/proposals/{proposal.pk}/pdf/",
            f"/shipments/{shipment.pk}/",
            f"/leads/{lead.pk}/",
            f"/companies/{company.pk}/",
        ):
            not_found(other, base + url)
        shot(other, "13-outsider-404")
        # The pipeline's board is shared reference data: it opens, without the deal on it.
        other.goto(f"{base}/deals/board/{pipeline.pk}/")
        expect(other.locator(f"#col-head-{second.pk} [data-count]")).to_have_text("0")
        expect(other.locator(f"#deal-{deal.pk}")).to_have_count(0)
    finally:
        other_context.close()
    assert not watch.problems, watch.problems
