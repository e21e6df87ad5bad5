"""The order, invoice and shipment pages: what a rep sees and does, from the order card on."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from rapport.orders.models import Invoice, NumberSequence, Payment, SellerDetails, Shipment
from rapport.orders.services.invoices import invoice_create, invoice_issue
from tests.app_rules.orders_documents import make_order


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_order_card_to_invoice_payment_and_shipment(world):
    rep = world.users["rep"]
    client = _client(rep)
    order = make_order(world)
    widget, installation = order.lines.order_by("position")
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert order.number in page and "Widget" in page and "No invoices yet." in page
    assert reverse("orders:invoice_create", args=[order.pk]) in page

    form = client.get(reverse("orders:invoice_create", args=[order.pk])).content.decode()
    assert f'name="line_{widget.pk}"' in form
    response = client.post(
        reverse("orders:invoice_create", args=[order.pk]),
        {f"line_{widget.pk}": "4", f"line_{installation.pk}": "0", "notes": "First half"},
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == invoice.get_absolute_url()
    assert invoice.total == Decimal("435.60")

    # More than is left: the form says so, nothing is written.
    response = client.post(
        reverse("orders:invoice_create", args=[order.pk]), {f"line_{widget.pk}": "7"}
    )
    assert response.status_code == 422
    assert "at most 6" in response.content.decode()
    assert Invoice.objects.count() == 1

    client.post(reverse("orders:invoice_move", args=[invoice.pk]), {"to": "issue"})
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.number

    url = reverse("orders:payment_create", args=[invoice.pk])
    response = client.post(
        url, {"amount": "500", "currency": "EUR", "paid_on": "2026-01-10", "method": "card"}
    )
    assert response.status_code == 422
    assert "Only 435.60 EUR is due" in response.content.decode()
    response = client.post(
        url, {"amount": "100", "currency": "USD", "paid_on": "2026-01-10", "method": "card"}
    )
    assert response.status_code == 422 and "cannot be recorded" in response.content.decode()
    assert Payment.objects.count() == 0
    client.post(
        url, {"amount": "135.60", "currency": "EUR", "paid_on": "2026-01-10", "method": "card"}
    )
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid" and invoice.amount_due == Decimal("300.00")

    # Editing the partly paid invoice is refused with a message that does not suggest
    # cancelling it (which is refused too).
    response = client.post(
        reverse("orders:invoice_update", args=[invoice.pk]), {"notes": "Changed"}, follow=True
    )
    page = response.content.decode()
    assert "is partially paid: an invoice with payments can no longer be changed" in page
    assert "Cancel it" not in page

    response = client.post(
        reverse("orders:shipment_create", args=[order.pk]),
        {f"line_{widget.pk}": "10", f"line_{installation.pk}": "1", "carrier": "DHL"},
    )
    shipment = Shipment.objects.get()
    assert response["Location"] == shipment.get_absolute_url()
    client.post(reverse("orders:shipment_move", args=[shipment.pk]), {"to": "ship"})
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.number

    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'id="order-outstanding" class="fw-bold">300.00 EUR' in page
    assert shipment.number in page and invoice.number in page


def test_invoice_list_overdue_filter_and_badge(world):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    old = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 1}])
    old = invoice_issue(actor=rep, invoice=old, issued_on=datetime.date(2025, 1, 1))
    fresh = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    client = _client(rep)
    page = client.get(reverse("orders:invoice_list") + "?overdue=true").content.decode()
    assert old.number in page and fresh.number not in page and "Overdue" in page
    page = client.get(reverse("orders:invoice_list") + "?overdue=false").content.decode()
    assert fresh.number in page and old.number not in page
    page = client.get(
        reverse("orders:invoice_list") + "?issued_from=2025-01-01&issued_to=2025-01-31"
    ).content.decode()
    assert old.number in page and fresh.number not in page


def test_lists_show_only_documents_in_scope(world):
    mine = make_order(world)
    foreign = make_order(world, "foreign")
    page = _client(world.users["rep"]).get(reverse("orders:order_list")).content.decode()
    assert mine.number in page and foreign.number not in page
    response = _client(world.users["rep"]).get(reverse("orders:order_detail", args=[foreign.pk]))
    assert response.status_code == 404


def test_pdfs_of_order_and_invoice(world):
    rep = world.users["rep"]
    seller = SellerDetails.get()
    seller.name, seller.iban, seller.bank_name = "Rapport SIA", "LV80BANK0000435195001", "Swedbank"
    seller.save()
    order = make_order(world)
    invoice = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    client = _client(rep)
    for url in (
        reverse("orders:order_pdf", args=[order.pk]),
        reverse("orders:invoice_pdf", args=[invoice.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_invoice_pdf_shows_bank_details_due_date_and_amounts(world):
    """The PDF's HTML (what WeasyPrint prints), in the invoice's language."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from rapport.orders.selectors import _pdf_context
    from rapport.orders.services.payments import payment_create

    rep = world.users["rep"]
    seller = SellerDetails.get()
    seller.name, seller.iban, seller.bank_name = "Rapport SIA", "LV80BANK0000435195001", "Swedbank"
    seller.save()
    invoice = invoice_create(actor=rep, order=make_order(world))
    invoice = invoice_issue(actor=rep, invoice=invoice, issued_on=datetime.date(2026, 2, 1))
    payment_create(actor=rep, invoice=invoice, amount=Decimal("694"))
    invoice.refresh_from_db()
    with translation.override("en"):
        html = render_to_string("orders/pdf/invoice.html", _pdf_context(invoice, "invoice"))
    assert "LV80BANK0000435195001" in html and "Swedbank" in html and invoice.number in html
    assert "Feb. 15, 2026" in html  # due after the default 14 days
    assert "694.00" in html and "1,000.00" in html and "1,694.00" in html


def test_settings_pages_are_for_administrators(world):
    admin = _client(world.users["admin"])
    page = admin.get(reverse("orders:settings_numbers")).content.decode()
    assert "INV-" in page
    response = admin.post(
        reverse("orders:settings_numbers"),
        {
            "kind": "invoice",
            "invoice-prefix": "R{year}/",
            "invoice-digits": "4",
            "invoice-next_number": "120",
            "invoice-restarts_yearly": "on",
        },
    )
    assert response.status_code == 302
    sequence = NumberSequence.objects.get(kind="invoice")
    assert (sequence.prefix, sequence.digits, sequence.next_number) == ("R{year}/", 4, 120)
    response = admin.post(
        reverse("orders:settings_numbers"),
        {
            "kind": "order",
            "order-prefix": "ORD-",
            "order-digits": "4",
            "order-next_number": "1",
            "order-restarts_yearly": "on",
        },
    )
    assert response.status_code == 422 and "{year}" in response.content.decode()
    response = admin.post(
        reverse("orders:settings_seller"),
        {"name": "Rapport SIA", "payment_days": "10", "proposal_valid_days": "30"},
    )
    assert response.status_code == 302 and SellerDetails.get().payment_days == 10
    assert _client(world.users["rep"]).get(reverse("orders:settings_seller")).status_code == 404
