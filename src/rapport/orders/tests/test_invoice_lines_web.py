"""A draft invoice's quantities edited on its card (htmx or a plain form), through the same
service and with the same messages as the API; bad input changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.models import ChangeRecord
from rapport.core.services import etag_for
from rapport.orders.models import Invoice, InvoiceLine, OrderLine
from rapport.orders.services.invoices import invoice_create, invoice_issue
from rapport.orders.tests.test_orders_api import Api
from tests.app_rules.orders_documents import make_order

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(world):
    """A draft of 4 of the 10 widgets; another invoice already holds 3 more."""
    rep = world.users["rep"]
    order = make_order(world)
    widget, installation = order.lines.order_by("position")
    invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 3}])
    invoice = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 4}])
    return invoice, widget, installation


def _state(invoice):
    invoice.refresh_from_db()
    lines = sorted(
        (x.order_line_id, x.quantity) for x in InvoiceLine.objects.filter(invoice=invoice)
    )
    invoiced = sorted(OrderLine.objects.values_list("pk", "quantity_invoiced"))
    return lines, invoice.total, invoiced, ChangeRecord.objects.count()


def test_the_card_of_a_draft_offers_its_quantities(world, draft):
    invoice, widget, installation = draft
    page = _client(world.users["rep"]).get(invoice.get_absolute_url()).content.decode()
    assert 'id="invoice-lines"' in page
    assert f'name="line_{widget.pk}"' in page and 'value="4"' in page
    # Left for this draft: 10 ordered − 3 on the other invoice; the installation is all left.
    assert f'data-order-line="{installation.pk}"' in page
    assert '<td class="text-end text-nowrap">7</td>' in page
    # The auditor reads the card but gets no editor.
    auditor = _client(world.users["auditor"]).get(invoice.get_absolute_url()).content.decode()
    assert 'id="invoice-lines"' not in auditor


def test_saving_quantities_with_htmx_answers_the_editor_and_the_totals(world, draft):
    invoice, widget, installation = draft
    client = _client(world.users["rep"])
    url = reverse("orders:invoice_lines", args=[invoice.pk])
    response = client.post(
        url,
        {f"line_{widget.pk}": "7", f"line_{installation.pk}": "1", "etag": etag_for(invoice)},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="invoice-lines-saved"' in body and 'hx-swap-oob="true"' in body
    invoice.refresh_from_db()
    # 7 × 100 − 10 % = 630, + 250 = 880 without VAT; + 21 % = 1,064.80.
    assert (invoice.net_total, invoice.total) == (Decimal("880.00"), Decimal("1064.80"))
    assert "1,064.80 EUR" in body
    assert OrderLine.objects.get(pk=widget.pk).quantity_invoiced == 10
    # Leaving a field empty takes the line out.
    client.post(url, {f"line_{widget.pk}": "7", f"line_{installation.pk}": ""})
    assert list(InvoiceLine.objects.filter(invoice=invoice).values_list("quantity", flat=True)) == [
        Decimal("7.000")
    ]


def test_the_plain_form_saves_and_redirects(world, draft):
    invoice, widget, installation = draft
    client = _client(world.users["rep"])
    response = client.post(
        reverse("orders:invoice_lines", args=[invoice.pk]),
        {f"line_{widget.pk}": "2.5", f"line_{installation.pk}": "0"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == invoice.get_absolute_url()
    assert "The quantities are saved." in response.content.decode()
    assert InvoiceLine.objects.get(invoice=invoice).quantity == Decimal("2.5")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "“Widget”: the quantity cannot be negative."),
        ("8", "“Widget”: at most 7 can be added, 8 was asked for."),
        ("abc", "“Widget”: the quantity is not a number."),
        ("NaN", "“Widget”: the quantity is not a number."),
        ("1.2345", "“Widget”: a quantity has at most 3 decimal places."),
        ("0", "An invoice needs at least one line with a quantity. To drop this draft, cancel it."),
    ],
)
def test_bad_quantities_are_explained_and_change_nothing(world, draft, value, message):
    invoice, widget, installation = draft
    client = _client(world.users["rep"])
    url = reverse("orders:invoice_lines", args=[invoice.pk])
    before = _state(invoice)
    data = {f"line_{widget.pk}": value, f"line_{installation.pk}": "0"}
    response = client.post(url, data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and 'id="invoice-lines-error"' in body
    assert message in body
    assert f'value="{value}"' in body  # what was typed stays in the field
    assert _state(invoice) == before
    response = client.post(url, data, follow=True)  # without htmx: the message on the card
    assert message in response.content.decode()
    assert _state(invoice) == before
    # The API refuses the same input with the same words (one service, one validation).
    if value not in ("abc", "NaN"):  # the API's own number field refuses these first
        api = Api(world.users["rep"])
        answer = api.patch(
            f"/api/v1/invoices/{invoice.pk}/",
            {"lines": [{"order_line": widget.pk, "quantity": value}]},
        )
        if value != "1.2345":
            assert answer.status_code == 400 and message in str(answer.json()["fields"])
        else:
            assert answer.status_code == 400
    assert _state(invoice) == before


def test_a_stale_form_or_an_issued_invoice_is_refused(world, draft):
    invoice, widget, installation = draft
    client = _client(world.users["rep"])
    url = reverse("orders:invoice_lines", args=[invoice.pk])
    stale = etag_for(invoice)
    client.post(url, {f"line_{widget.pk}": "5", f"line_{installation.pk}": "0"})
    before = _state(invoice)
    response = client.post(
        url, {f"line_{widget.pk}": "6", f"line_{installation.pk}": "0", "etag": stale}, **HTMX
    )
    assert "Someone else changed this record" in response.content.decode()
    assert _state(invoice) == before
    rep = world.users["rep"]
    invoice = invoice_issue(actor=rep, invoice=invoice)
    before = _state(invoice)
    response = client.post(url, {f"line_{widget.pk}": "1"}, **HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert "is issued and can no longer be changed" in page
    assert 'id="invoice-lines"' not in page
    assert _state(invoice) == before
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"
