"""Who may use each route and API operation of orders_documents (orders, invoices, payments,
shipments, document settings), and the builder of an order the tests share."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from tests.permission_base import WRITE, Route, api_routes, changes_customer, sees_customer

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def make_order(world, key: str = "own", *, lines=None, currency: str = "EUR"):
    """A won deal of ``world``'s customer ``key`` with an accepted proposal and its order.

    ``lines``: (description, quantity, unit price, discount %, tax %) tuples."""
    from rapport.catalog.pricing import document_totals, line_amounts
    from rapport.orders.models import Proposal, ProposalLine
    from rapport.orders.services.orders import order_create_from_proposal
    from rapport.sales.models import Deal, Pipeline, Stage

    owner = world.users[OWNERS[key]]
    pipeline, _ = Pipeline.objects.get_or_create(name="Matrix pipeline")
    stage, _ = Stage.objects.get_or_create(pipeline=pipeline, name="Won", kind="won")
    company = world.companies[key]
    deal = Deal.objects.create(
        name=f"Deal of {company.name}",
        pipeline=pipeline,
        stage=stage,
        status="won",
        company=company,
        currency=currency,
        owner=owner,
        team=owner.team,
        amount=Decimal("1000"),
    )
    proposal = Proposal.objects.create(
        deal=deal,
        title="Offer",
        company=company,
        person=world.people[key],
        currency=currency,
        owner=owner,
        team=owner.team,
        status="accepted",
    )
    rows = []
    specs = lines or [
        ("Widget", "10", "100.00", "10", "21"),
        ("Installation", "2", "250.00", "0", "21"),
    ]
    for position, (description, quantity, price, discount, tax) in enumerate(specs):
        row = ProposalLine(
            proposal=proposal,
            position=position,
            description=description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            discount_percent=Decimal(discount),
            tax_rate=Decimal(tax),
            cost_price=Decimal(price) / 2,
        )
        row.gross_amount, row.net_amount, row.tax_amount = line_amounts(
            row.quantity, row.unit_price, row.discount_percent, row.tax_rate
        )
        rows.append(row)
    ProposalLine.objects.bulk_create(rows)
    for name, value in document_totals(rows).items():
        setattr(proposal, name, value)
    proposal.save()
    with transaction.atomic():
        return order_create_from_proposal(actor=owner, proposal=proposal)


def _owner(world, key):
    return world.users[OWNERS[key]]


def _widget(world, key) -> int:
    return world.order_docs[key]["widget"]


def _lines(world, key, actor):
    return [{"order_line": _widget(world, key), "quantity": "1"}]


RULES: dict = {
    # Documents are seen and changed like the deals they come from: own and team for reps and
    # heads, everything for directors and administrators (the auditor only reads).
    "doc": lambda role, key, method: (
        changes_customer(role, key) if method in WRITE else sees_customer(role, key)
    ),
    "doc_change": lambda role, key, method: changes_customer(role, key),
    # A payment is taken back by an administrator or the owner of the deal only.
    "doc_payment_delete": lambda role, key, method: (
        role == "admin" or (role, key) in {("rep", "own"), ("outsider", "foreign")}
    ),
}

WEB: dict[str, Route] = {
    "orders:order_list": Route("user", hidden_names=True, query="status=in_progress"),
    "orders:order_detail": Route("doc", obj="order"),
    "orders:order_pdf": Route("doc", obj="order"),
    "orders:order_update": Route(
        "doc_change", ("POST",), obj="order", data=lambda w, k, a: {"notes": "Matrix"}
    ),
    "orders:order_move": Route(
        "doc_change", ("POST",), obj="order", data=lambda w, k, a: {"status": "completed"}
    ),
    "orders:invoice_create": Route(
        "doc_change",
        ("GET", "POST"),
        obj="order",
        data=lambda w, k, a: {f"line_{_widget(w, k)}": "1"},
    ),
    "orders:shipment_create": Route(
        "doc_change",
        ("GET", "POST"),
        obj="order",
        data=lambda w, k, a: {f"line_{_widget(w, k)}": "1", "carrier": "Matrix"},
    ),
    "orders:invoice_list": Route("user", hidden_names=True, query="overdue=false"),
    "orders:invoice_detail": Route("doc", obj="invoice_issued"),
    "orders:invoice_pdf": Route("doc", obj="invoice_issued"),
    "orders:invoice_update": Route(
        "doc_change", ("POST",), obj="invoice_draft", data=lambda w, k, a: {"notes": "Matrix"}
    ),
    "orders:invoice_lines": Route(
        "doc_change",
        ("POST",),
        obj="invoice_draft",
        data=lambda w, k, a: {f"line_{_widget(w, k)}": "2"},
    ),
    "orders:invoice_move": Route(
        "doc_change", ("POST",), obj="invoice_draft", data=lambda w, k, a: {"to": "issue"}
    ),
    "orders:payment_create": Route(
        "doc_change",
        ("POST",),
        obj="invoice_issued",
        data=lambda w, k, a: {
            "amount": "1",
            "currency": "EUR",
            "paid_on": "2026-01-05",
            "method": "card",
        },
    ),
    "orders:payment_delete": Route(
        "doc_payment_delete", ("POST",), obj="payment", data=lambda w, k, a: {}
    ),
    "orders:shipment_list": Route("user", hidden_names=True, query="status=shipped&sort=-shipped"),
    "orders:shipment_detail": Route("doc", obj="shipment_planned"),
    "orders:shipment_move": Route(
        "doc_change", ("POST",), obj="shipment_planned", data=lambda w, k, a: {"to": "ship"}
    ),
    "orders:settings_numbers": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "kind": "invoice",
            "invoice-prefix": "INV-{year}-",
            "invoice-digits": "5",
            "invoice-next_number": "50",
            "invoice-restarts_yearly": "on",
        },
    ),
    "orders:settings_seller": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "name": "Matrix Seller",
            "payment_days": "10",
            "proposal_valid_days": "30",
        },
    ),
}

API: dict[tuple[str, str], Route] = {}


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


_api("/api/v1/orders/", "user", ("GET",), hidden_names=True)
_api("/api/v1/orders/{id}/", "doc", ("GET",), obj="order")
_api("/api/v1/orders/{id}/", "doc", ("PATCH",), obj="order", data=lambda w, k, a: {"notes": "x"})
_api(
    "/api/v1/orders/{id}/move/",
    "doc",
    ("POST",),
    obj="order",
    data=lambda w, k, a: {"status": "completed"},
)
_api("/api/v1/orders/{id}/pdf/", "doc", ("GET",), obj="order")
_api("/api/v1/invoices/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/invoices/",
    "doc",
    ("POST",),
    obj="order",  # the order of the key is in the body
    data=lambda w, k, a: {"order": w.order_docs[k]["order"], "lines": _lines(w, k, a)},
)
_api("/api/v1/invoices/{id}/", "doc", ("GET",), obj="invoice_issued")
_api(
    "/api/v1/invoices/{id}/",
    "doc",
    ("PATCH",),
    obj="invoice_draft",
    data=lambda w, k, a: {"notes": "x"},
)
_api("/api/v1/invoices/{id}/issue/", "doc", ("POST",), obj="invoice_draft")
_api("/api/v1/invoices/{id}/cancel/", "doc", ("POST",), obj="invoice_draft")
_api("/api/v1/invoices/{id}/pdf/", "doc", ("GET",), obj="invoice_issued")
_api("/api/v1/payments/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/payments/",
    "doc",
    ("POST",),
    obj="invoice_issued",
    data=lambda w, k, a: {"invoice": w.order_docs[k]["invoice_issued"], "amount": "1"},
)
_api("/api/v1/payments/{id}/", "doc", ("GET",), obj="payment")
_api("/api/v1/payments/{id}/", "doc_payment_delete", ("DELETE",), obj="payment")
_api("/api/v1/shipments/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/shipments/",
    "doc",
    ("POST",),
    obj="order",
    data=lambda w, k, a: {"order": w.order_docs[k]["order"], "lines": _lines(w, k, a)},
)
_api("/api/v1/shipments/{id}/", "doc", ("GET",), obj="shipment_planned")
_api("/api/v1/shipments/{id}/ship/", "doc", ("POST",), obj="shipment_planned")
_api("/api/v1/shipments/{id}/deliver/", "doc", ("POST",), obj="shipment_shipped")
_api("/api/v1/shipments/{id}/cancel/", "doc", ("POST",), obj="shipment_planned")


def _counted():
    from rapport.orders.models import (
        Invoice,
        InvoiceLine,
        NumberSequence,
        Order,
        OrderLine,
        Payment,
        SellerDetails,
        Shipment,
        ShipmentLine,
    )

    counted = [Order, OrderLine, Invoice, InvoiceLine, Payment, Shipment, ShipmentLine]
    stamped = [Order, Invoice, Shipment, NumberSequence, SellerDetails]
    return counted + [NumberSequence], stamped


COUNTED, STAMPED = _counted()


def prepare(world) -> dict[str, dict[str, int]]:
    """An order per key with a draft invoice, an issued one with a payment, a planned and a
    shipped shipment (one widget each), made by the owner through the services."""
    from rapport.orders.services.invoices import invoice_create, invoice_issue
    from rapport.orders.services.payments import payment_create
    from rapport.orders.services.shipments import shipment_create, shipment_ship

    world.order_docs = {}
    objects = {}
    for key in OWNERS:
        owner = _owner(world, key)
        order = make_order(world, key)
        widget = order.lines.get(description="Widget")
        one = [{"order_line": widget, "quantity": 1}]
        draft = invoice_create(actor=owner, order=order, lines=one)
        issued = invoice_issue(
            actor=owner, invoice=invoice_create(actor=owner, order=order, lines=one)
        )
        payment = payment_create(actor=owner, invoice=issued, amount="1.00")
        planned = shipment_create(actor=owner, order=order, lines=one)
        shipped = shipment_ship(
            actor=owner, shipment=shipment_create(actor=owner, order=order, lines=one)
        )
        objects[key] = {
            "order": order.pk,
            "invoice_draft": draft.pk,
            "invoice_issued": issued.pk,
            "payment": payment.pk,
            "shipment_planned": planned.pk,
            "shipment_shipped": shipped.pk,
        }
        world.order_docs[key] = {**objects[key], "widget": widget.pk}
    return objects
