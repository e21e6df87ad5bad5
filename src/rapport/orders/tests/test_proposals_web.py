"""Proposal pages: create from a deal, lines by htmx, header, send by real SMTP, decisions."""

from __future__ import annotations

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse

from rapport.activities.models import Activity
from rapport.orders.models import Order, Proposal, ProposalLine
from rapport.orders.services import proposals as svc
from rapport.orders.tests.test_proposals import make_catalogue, make_deal


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def web(world):
    catalogue = make_catalogue()
    deal = make_deal(world)
    client = Client()
    client.force_login(world.users["rep"])
    return client, deal, catalogue


def test_new_proposal_from_the_deal(web, world):
    client, deal, _ = web
    url = reverse("orders:proposal_create") + f"?deal={deal.pk}"
    page = client.get(url)
    assert page.status_code == 200 and deal.name in page.content.decode()
    response = client.post(url, {"title": "Offer for the deal"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.title == "Offer for the deal" and proposal.deal == deal
    assert client.get(reverse("orders:proposal_create", args=[deal.pk])).status_code == 200
    foreign = make_deal(world, "foreign")
    assert client.get(reverse("orders:proposal_create") + f"?deal={foreign.pk}").status_code == 404


def test_lines_by_htmx_and_totals(web, world):
    client, deal, cat = web
    proposal = svc.proposal_create(actor=world.users["rep"], deal=deal)
    add = reverse("orders:proposal_line_add", args=[proposal.pk])
    response = client.post(
        add,
        {"product": cat["product"].pk, "quantity": "2", "revision": proposal.revision},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="proposal-lines"' in body
    assert "242.00" in body  # 2 × 100 + 21 % tax
    line = ProposalLine.objects.get()
    proposal.refresh_from_db()
    response = client.post(
        reverse("orders:proposal_line_update", args=[line.pk]),
        {
            "description": "Widget",
            "quantity": "10",
            "unit_price": "90",
            "discount_percent": "10",
            "revision": proposal.revision,
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "980.10" in body and f'data-proposal-revision="{proposal.revision + 1}"' in body
    # An old revision is refused with the reload message, and nothing changes.
    response = client.post(
        reverse("orders:proposal_line_update", args=[line.pk]),
        {
            "description": "Widget",
            "quantity": "1",
            "unit_price": "90",
            "discount_percent": "0",
            "revision": proposal.revision,
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Reload" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 10
    # Bad input: a clear message in the lines block, no line written.
    response = client.post(
        add,
        {"product": cat["product"].pk, "quantity": "-5", "revision": proposal.revision + 1},
        HTTP_HX_REQUEST="true",
    )
    assert "greater than zero" in response.content.decode()
    assert ProposalLine.objects.count() == 1
    response = client.post(
        reverse("orders:proposal_line_delete", args=[line.pk]),
        {"revision": proposal.revision + 1},
        HTTP_HX_REQUEST="true",
    )
    assert ProposalLine.objects.count() == 0 and "No lines yet" in response.content.decode()


def test_card_header_list_and_pdf(web, world):
    client, deal, cat = web
    proposal = svc.proposal_create(actor=world.users["rep"], deal=deal)
    svc.proposal_line_add(actor=world.users["rep"], proposal=proposal, product=cat["product"])
    proposal.refresh_from_db()
    page = client.get(proposal.get_absolute_url())
    assert page.status_code == 200 and "Own Customer SIA" in page.content.decode()
    response = client.post(
        proposal.get_absolute_url(),
        {
            "revision": proposal.revision,
            "title": "Renamed",
            "language": "lv",
            "person": world.people["own"].pk,
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.language) == ("Renamed", "lv")
    stale = client.post(
        proposal.get_absolute_url(),
        {"revision": proposal.revision - 1, "title": "Lost", "language": "en"},
    )
    assert stale.status_code == 422 and "Reload" in stale.content.decode()
    pdf = client.get(reverse("orders:proposal_pdf", args=[proposal.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    listed = client.get(reverse("orders:proposal_list"), {"status": "draft"}).content.decode()
    assert "Renamed" in listed
    pending = client.get(reverse("orders:proposal_list"), {"discount_approval": "pending"})
    assert "Renamed" not in pending.content.decode()


def test_send_by_smtp_lands_on_the_timeline(web, world, settings):
    client, deal, cat = web
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "rapport.core.mail.SmtpOutboxBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    proposal = svc.proposal_create(actor=world.users["rep"], deal=deal, language="ru")
    svc.proposal_line_add(actor=world.users["rep"], proposal=proposal, product=cat["product"])
    proposal.refresh_from_db()
    person = world.people["own"]
    form = client.get(reverse("orders:proposal_send", args=[proposal.pk])).content.decode()
    assert "own.person@example.com" in form
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        response = client.post(
            reverse("orders:proposal_send", args=[proposal.pk]),
            {"person": person.pk, "message": "See the offer.", "revision": proposal.revision},
        )
    finally:
        controller.stop()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [m.rcpt_tos for m in inbox.messages] == [["own.person@example.com"]]
    message = email.message_from_bytes(inbox.messages[0].content)
    parts = {part.get_content_type(): part for part in message.walk()}
    pdf = parts["application/pdf"]
    assert pdf.get_filename() == f"{proposal.number}.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")
    assert "See the offer." in parts["text/plain"].get_payload(decode=True).decode()
    proposal.refresh_from_db()
    assert proposal.status == "sent" and proposal.sent_at is not None
    activity = Activity.objects.get(kind="email", company=deal.company)
    assert activity.person == person and proposal.number in activity.subject
    timeline = client.get(deal.company.get_absolute_url()).content.decode()
    assert proposal.number in timeline


def test_approval_accept_reject_new_version_buttons(web, world):
    client, deal, cat = web
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(
        actor=rep, proposal=proposal, product=cat["product"], discount_percent="30"
    )
    proposal.refresh_from_db()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "discount waiting for approval" in page and "approve-discount" not in page
    accept = client.post(
        reverse("orders:proposal_accept", args=[proposal.pk]), {"revision": proposal.revision}
    )
    assert accept.status_code == 302 and not Order.objects.exists()
    decide = reverse("orders:proposal_decide_discount", args=[proposal.pk])
    assert (
        client.post(decide, {"revision": proposal.revision, "decision": "approve"}).status_code
        == 404
    )
    head = Client()
    head.force_login(world.users["head"])
    assert "approve-discount" in head.get(proposal.get_absolute_url()).content.decode()
    head.post(decide, {"revision": proposal.revision, "decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.discount_approval == "approved"
    response = client.post(
        reverse("orders:proposal_new_version", args=[proposal.pk]), {"revision": proposal.revision}
    )
    new = Proposal.objects.get(version=2)
    assert response["Location"] == new.get_absolute_url()
    # The copied 30 % needs approval again for the rep's version.
    assert new.discount_approval == "pending"
    proposal.refresh_from_db()
    assert proposal.status == "superseded"
    head.post(
        reverse("orders:proposal_decide_discount", args=[new.pk]),
        {"revision": new.revision, "decision": "approve"},
    )
    new.refresh_from_db()
    response = client.post(
        reverse("orders:proposal_accept", args=[new.pk]), {"revision": new.revision}
    )
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    again = client.post(
        reverse("orders:proposal_accept", args=[new.pk]),
        {"revision": new.revision + 1},
        follow=True,
    )
    assert "already been accepted" in again.content.decode() and Order.objects.count() == 1
