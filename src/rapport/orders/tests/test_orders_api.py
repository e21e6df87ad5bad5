"""The chain through the API: orders, invoices, payments and shipments, with their errors."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from rapport.accounts.services import token_create
from rapport.orders.models import Invoice, Payment, Shipment
from rapport.orders.services.invoices import invoice_create, invoice_issue
from tests.app_rules.orders_documents import make_order


class Api:
    def __init__(self, user):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}

    def get(self, url):
        return self.client.get(url, **self.auth)

    def post(self, url, data=None):
        return self.client.post(url, data or {}, content_type="application/json", **self.auth)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", **self.auth)

    def delete(self, url):
        return self.client.delete(url, **self.auth)


@pytest.fixture
def api(world):
    return Api(world.users["rep"])


def test_order_read_notes_and_moves(world, api):
    order = make_order(world)
    foreign = make_order(world, "foreign")
    listed = api.get("/api/v1/orders/").json()
    assert [o["number"] for o in listed["results"]] == [order.number]
    body = api.get(f"/api/v1/orders/{order.pk}/").json()
    assert body["total"] == "1694.00" and len(body["lines"]) == 2
    assert body["lines"][0]["quantity_invoiced"] == "0.000"
    response = api.patch(f"/api/v1/orders/{order.pk}/", {"notes": "Call before delivery"})
    assert response.status_code == 200 and response.json()["notes"] == "Call before delivery"
    response = api.post(f"/api/v1/orders/{order.pk}/move/", {"status": "in_progress"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = api.post(f"/api/v1/orders/{order.pk}/move/", {"status": "confirmed"})
    assert response.status_code == 400 and response.json()["code"] == "illegal_move"
    assert "cannot go from" in response.json()["detail"]
    assert api.get(f"/api/v1/orders/{foreign.pk}/").status_code == 404
    pdf = api.get(f"/api/v1/orders/{order.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_invoice_create_issue_pay_and_refusals(world, api):
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    response = api.post(
        "/api/v1/invoices/",
        {"order": order.pk, "lines": [{"order_line": widget.pk, "quantity": "11"}]},
    )
    assert response.status_code == 400
    assert "at most 10" in response.json()["fields"]["lines"][0]
    assert Invoice.objects.count() == 0
    response = api.post(
        "/api/v1/invoices/",
        {"order": order.pk, "lines": [{"order_line": widget.pk, "quantity": "4"}]},
    )
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert invoice["total"] == "435.60" and invoice["status"] == "draft"
    url = f"/api/v1/invoices/{invoice['id']}/"
    issued = api.post(url + "issue/").json()
    assert issued["status"] == "issued" and issued["number"] and issued["due_on"]
    response = api.patch(url, {"notes": "late edit"})
    assert response.status_code == 400 and response.json()["code"] == "invoice_locked"

    response = api.post("/api/v1/payments/", {"invoice": invoice["id"], "amount": "500"})
    assert (
        response.status_code == 400 and "Only 435.60 EUR" in response.json()["fields"]["amount"][0]
    )
    response = api.post(
        "/api/v1/payments/", {"invoice": invoice["id"], "amount": "5", "currency": "USD"}
    )
    assert response.status_code == 400 and "currency" in response.json()["fields"]
    assert Payment.objects.count() == 0
    response = api.post(
        "/api/v1/payments/",
        {"invoice": invoice["id"], "amount": "35.60", "method": "card", "paid_on": "2026-03-01"},
    )
    assert response.status_code == 201, response.content
    assert api.get(url).json()["status"] == "partially_paid"
    payments = api.get(f"/api/v1/payments/?invoice={invoice['id']}").json()["results"]
    assert [p["amount"] for p in payments] == ["35.60"]
    second = api.post("/api/v1/payments/", {"invoice": invoice["id"], "amount": "400"}).json()
    paid = api.get(url).json()
    assert paid["status"] == "paid" and paid["amount_due"] == "0.00"
    response = api.post(url + "cancel/")
    assert response.status_code == 400
    assert api.delete(f"/api/v1/payments/{second['id']}/").status_code == 204
    assert api.get(url).json()["status"] == "partially_paid"
    pdf = api.get(url + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_invoice_filters_overdue_and_dates(world, api):
    rep = world.users["rep"]
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    old = invoice_create(actor=rep, order=order, lines=[{"order_line": widget, "quantity": 1}])
    old = invoice_issue(actor=rep, invoice=old, issued_on=datetime.date(2025, 1, 1))
    fresh = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
    numbers = lambda q: [i["number"] for i in api.get(f"/api/v1/invoices/?{q}").json()["results"]]  # noqa: E731
    assert numbers("overdue=true") == [old.number]
    assert numbers("overdue=false") == [fresh.number]
    assert numbers("issued_to=2025-12-31") == [old.number]
    assert sorted(numbers(f"order={order.pk}")) == sorted([old.number, fresh.number])
    assert api.get("/api/v1/invoices/?overdue=true").json()["results"][0]["is_overdue"] is True


def test_shipments_through_the_api(world, api):
    order = make_order(world)
    widget = order.lines.get(description="Widget")
    response = api.post(
        "/api/v1/shipments/",
        {"order": order.pk, "lines": [{"order_line": widget.pk, "quantity": "20"}]},
    )
    assert response.status_code == 400 and Shipment.objects.count() == 0
    created = api.post(
        "/api/v1/shipments/",
        {
            "order": order.pk,
            "lines": [{"order_line": widget.pk, "quantity": "5"}],
            "carrier": "DPD",
        },
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/shipments/{created.json()['id']}/"
    assert api.post(url + "deliver/").json()["code"] == "illegal_move"
    shipped = api.post(url + "ship/").json()
    assert shipped["status"] == "shipped" and shipped["number"].startswith("S-")
    assert api.post(url + "deliver/").json()["status"] == "delivered"
    assert api.post(url + "cancel/").json()["code"] == "illegal_move"  # delivered: too late
    rest = api.post("/api/v1/shipments/", {"order": order.pk}).json()
    assert {(x["order_line"], x["quantity"]) for x in rest["lines"]} == {
        (widget.pk, "5.000"),
        (order.lines.get(description="Installation").pk, "2.000"),
    }
    assert api.post(f"/api/v1/shipments/{rest['id']}/cancel/").json()["status"] == "cancelled"
    foreign = make_order(world, "foreign")
    assert api.post("/api/v1/shipments/", {"order": foreign.pk}).status_code == 404


def test_lists_do_not_query_per_row(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rapport.orders.services.payments import payment_create
    from rapport.orders.services.shipments import shipment_create

    rep = world.users["rep"]
    web = Client()
    web.force_login(rep)

    def add(count):
        for _i in range(count):
            order = make_order(world)
            invoice = invoice_issue(actor=rep, invoice=invoice_create(actor=rep, order=order))
            payment_create(actor=rep, invoice=invoice, amount="10")
            shipment_create(actor=rep, order=order)

    urls = [
        "/orders/",
        "/invoices/",
        "/invoices/?overdue=false",
        "/shipments/",
        "/shipments/?status=planned&sort=planned&q=Own",
    ]
    apis = ["/api/v1/orders/", "/api/v1/invoices/", "/api/v1/payments/", "/api/v1/shipments/"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert web.get(url).status_code == 200
            result.append(len(queries))
        for url in apis:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            result.append(len(queries))
        return result

    add(2)
    counts()  # the first requests fill per-process caches (site settings, content types)
    few = counts()
    add(4)
    assert counts() == few
