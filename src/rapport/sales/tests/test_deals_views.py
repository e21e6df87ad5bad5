"""Deal screens: list with filters and sorts, card, form (incl. stale forms), parts, delete."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rapport.core.services import etag_for
from rapport.sales.models import Deal, DealContact, DealStageChange
from rapport.sales.selectors.deals import deals_for_company
from rapport.sales.services.deals import deal_update
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, stage


@pytest.fixture
def pipeline(world):
    return make_pipeline(world.user("admin"), noun="renewal", plural="renewals")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(world, pipeline, **extra):
    return {
        "name": "Fleet of boilers",
        "pipeline": pipeline.pk,
        "company": world.companies["own"].pk,
        "amount": "1200.00",
        "currency": "EUR",
        "source": "web_form",
        **extra,
    }


def test_create_from_the_form(world, pipeline):
    client = _client(world.user("rep"))
    page = client.get(reverse("sales:deal_create") + f"?pipeline={pipeline.pk}")
    assert "New renewal" in page.content.decode()
    response = client.post(reverse("sales:deal_create"), _form(world, pipeline))
    deal = Deal.objects.get(name="Fleet of boilers")
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    assert deal.owner == world.user("rep") and deal.stage.name == "Qualification"
    assert deal.source == "web_form"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"amount": "-1"}, "greater than or equal to 0"),
        ({"company": ""}, "Choose the customer"),
        ({"stage": "OTHER"}, "belongs to another pipeline"),
    ],
)
def test_bad_form_input_shows_errors_and_writes_nothing(world, pipeline, extra, message):
    other = make_pipeline(world.user("admin"), name="Other")
    if extra.get("stage") == "OTHER":
        extra = {"stage": stage(other, "Proposal").pk}
    before = (Deal.objects.count(), DealStageChange.objects.count())
    response = _client(world.user("rep")).post(
        reverse("sales:deal_create"), _form(world, pipeline, **extra)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (Deal.objects.count(), DealStageChange.objects.count()) == before


def test_a_stale_form_is_refused(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    client = _client(rep)
    page = client.get(reverse("sales:deal_update", args=[deal.pk])).content.decode()
    version = etag_for(deal)
    assert version.replace('"', "&quot;") in page
    deal_update(actor=world.user("teammate"), deal=deal, amount=Decimal("77"))
    response = client.post(
        reverse("sales:deal_update", args=[deal.pk]),
        _form(world, pipeline, version=version, amount="5"),
    )
    assert response.status_code == 422
    assert "Someone else changed this record" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("77")


def test_list_filters_sorts_and_counts_no_query_per_row(world, pipeline):
    rep = world.user("rep")
    for i in range(3):
        make_deal(rep, pipeline, world.companies["own"], name=f"Alpha {i}", amount=str(100 * i))
    make_deal(rep, pipeline, world.companies["own"], name="Beta", source="referral")
    make_deal(world.user("outsider"), pipeline, world.companies["foreign"], name="Hidden")
    client = _client(rep)
    url = reverse("sales:deal_list")
    body = client.get(url + "?q=alpha&sort=-amount").content.decode()
    assert body.index("Alpha 2") < body.index("Alpha 1") < body.index("Alpha 0")
    assert "Beta" not in body and "Hidden" not in body
    assert "Beta" in client.get(url + "?source=referral").content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):
        make_deal(
            rep, pipeline, world.companies["own"], name=f"Gamma {i}", person=world.people["own"]
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_card_shows_history_and_parts(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"], name="Card deal")
    client = _client(rep)
    client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stage(pipeline, "Proposal").pk}
    )
    add = reverse("sales:deal_part_add", args=[deal.pk])
    client.post(
        add,
        {
            "kind": "contact",
            "contact-person": world.people["own"].pk,
            "contact-role": "decision_maker",
        },
    )
    client.post(
        add,
        {
            "kind": "participant",
            "participant-user": world.user("teammate").pk,
            "participant-role": "presales",
        },
    )
    client.post(
        add,
        {
            "kind": "competitor",
            "competitor-company": world.companies["team"].pk,
            "competitor-note": "cheap",
        },
    )
    body = client.get(deal.get_absolute_url()).content.decode()
    history = body.split('id="stage-history"')[1].split("</table>")[0]
    assert "Qualification" in history and "Proposal" in history
    assert "decision maker" in body and "Teammate Tester" in body and "Team Customer OOO" in body
    assert 'id="deal-documents"' in body and "renewal" in body
    contact = DealContact.objects.get(deal=deal)
    client.post(
        reverse("sales:deal_part_remove", args=[deal.pk]), {"kind": "contact", "id": contact.pk}
    )
    assert not DealContact.objects.filter(deal=deal).exists()


def test_delete(world, pipeline):
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"])
    client = _client(world.user("rep"))
    response = client.post(reverse("sales:deal_delete", args=[deal.pk]))
    assert response.status_code == 302 and not Deal.objects.filter(pk=deal.pk).exists()


def test_customer_deals_include(world, pipeline):
    rep = world.user("rep")
    make_deal(rep, pipeline, world.companies["own"], name="On the company card")
    html = render_to_string(
        "sales/includes/customer_deals.html",
        {
            "deals": deals_for_company(rep, world.companies["own"]),
            "company": world.companies["own"],
            "can_change": True,
        },
    )
    assert "On the company card" in html and f"?company={world.companies['own'].pk}" in html
