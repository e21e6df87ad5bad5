"""Proposal services: creation on a deal, lines and totals, approval, versions, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import translation

from rapport.catalog.models import DiscountLimit, PriceList, PriceListItem, Product
from rapport.contacts.models import CompanyAddress
from rapport.core.errors import DomainError, StaleWrite, ValidationError
from rapport.core.models import ChangeRecord
from rapport.orders.models import Order, Proposal, ProposalLine, SellerDetails
from rapport.orders.services import proposals as svc
from rapport.sales.models import Deal, DealContact, Pipeline, Stage

D = Decimal
OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def make_deal(world, key="own", currency="EUR", name=None) -> Deal:
    pipeline, _ = Pipeline.objects.get_or_create(
        name="Proposals pipeline", defaults={"currency": "EUR"}
    )
    stage, _ = Stage.objects.get_or_create(
        pipeline=pipeline, name="Proposal", defaults={"probability": 50}
    )
    owner = world.users[OWNERS[key]]
    deal = Deal.objects.create(
        name=name or f"Deal {key}",
        pipeline=pipeline,
        stage=stage,
        company=world.companies[key],
        person=world.people[key],
        currency=currency,
        owner=owner,
        team=owner.team,
    )
    DealContact.objects.create(deal=deal, person=world.people[key])
    return deal


def make_catalogue():
    product = Product.objects.create(
        name="Widget", sku="W-1", cost_price=D("40"), tax_rate=D("21"), unit="pcs"
    )
    general = PriceList.objects.create(name="General EUR", currency="EUR")
    PriceListItem.objects.create(price_list=general, product=product, min_quantity=1, price=100)
    PriceListItem.objects.create(price_list=general, product=product, min_quantity=10, price=90)
    usd = PriceList.objects.create(name="General USD", currency="USD")
    PriceListItem.objects.create(price_list=usd, product=product, min_quantity=1, price=120)
    DiscountLimit.objects.create(role="sales_rep", max_percent=10)
    return {"product": product, "eur": general, "usd": usd}


@pytest.fixture
def setup(world):
    catalogue = make_catalogue()
    deal = make_deal(world)
    return world, deal, catalogue


def counts():
    return (Proposal.objects.count(), ProposalLine.objects.count(), Order.objects.count())


def test_create_copies_the_deal_and_numbers_it(setup):
    world, deal, _ = setup
    SellerDetails.objects.update_or_create(pk=1, defaults={"proposal_valid_days": 10})
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    assert proposal.number.startswith("Q-") and proposal.version == 1
    assert (proposal.company, proposal.person, proposal.currency) == (
        deal.company,
        deal.person,
        "EUR",
    )
    assert (proposal.owner, proposal.team, proposal.title) == (rep, rep.team, "Deal own")
    assert proposal.language == "en" and proposal.revision == 1
    assert (proposal.valid_until - proposal.created_at.date()).days == 10
    assert ChangeRecord.objects.filter(object_id=proposal.pk, action="create").exists()
    second = svc.proposal_create(actor=rep, deal=deal, title="Option B")
    assert second.number != proposal.number and deal.proposals.count() == 2


def test_language_from_person_or_company_country(setup):
    world, deal, _ = setup
    rep = world.users["rep"]
    CompanyAddress.objects.create(company=deal.company, city="Rīga", country="LV")
    assert svc.proposal_create(actor=rep, deal=deal).language == "lv"
    person = deal.person
    person.preferred_language = "uk"
    person.save()
    deal.refresh_from_db()
    assert svc.proposal_create(actor=rep, deal=deal).language == "uk"


def test_cannot_create_on_a_deal_out_of_scope(setup):
    world, _, _ = setup
    foreign = make_deal(world, "foreign")
    before = counts()
    with pytest.raises(DomainError):
        svc.proposal_create(actor=world.users["rep"], deal=foreign)
    assert counts() == before


def test_lines_prices_and_totals(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    line = svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"], quantity=2)
    assert (line.description, line.unit, line.unit_price, line.tax_rate, line.cost_price) == (
        "Widget",
        "pcs",
        D("100.00"),
        D("21.00"),
        D("40.00"),
    )
    svc.proposal_line_add(
        actor=rep, proposal=proposal, description="Installation", unit_price="50", unit="h"
    )
    proposal.refresh_from_db()
    assert (proposal.net_total, proposal.tax_total, proposal.total) == (
        D("250.00"),
        D("42.00"),
        D("292.00"),
    )
    assert proposal.revision == 3
    # Quantity 10 takes the quantity break's price; a 5 % discount is within the rep's limit.
    line = svc.proposal_line_update(actor=rep, line=line, quantity="10", discount_percent="5")
    assert line.unit_price == D("90.00") and line.net_amount == D("855.00")
    proposal.refresh_from_db()
    assert proposal.total == D("855.00") * D("1.21") + D("50.00")
    assert proposal.discount_total == D("45.00")
    assert proposal.discount_approval == "not_needed"
    svc.proposal_line_remove(actor=rep, line=line)
    proposal.refresh_from_db()
    assert proposal.total == D("50.00") and proposal.lines.count() == 1


@pytest.mark.parametrize("quantity", ["0", "-3"])
def test_zero_or_negative_quantity_is_refused(setup, quantity):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        svc.proposal_line_add(
            actor=rep, proposal=proposal, product=cat["product"], quantity=quantity
        )
    assert "greater than zero" in str(exc.value.message_dict["quantity"])
    assert counts() == before
    assert Proposal.objects.get(pk=proposal.pk).revision == proposal.revision


@pytest.mark.parametrize("quantity", ["NaN", "Infinity", "three"])
def test_a_quantity_that_is_not_a_number_is_refused(setup, quantity):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        svc.proposal_line_add(
            actor=rep, proposal=proposal, product=cat["product"], quantity=quantity
        )
    assert "Enter a number." in exc.value.message_dict["quantity"]
    assert counts() == before


def test_discount_of_150_percent_is_refused(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    line = svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"])
    with pytest.raises(ValidationError) as exc:
        svc.proposal_line_update(actor=rep, line=line, discount_percent="150")
    assert "between 0 and 100" in str(exc.value.message_dict["discount_percent"])
    line.refresh_from_db()
    assert line.discount_percent == 0


def test_discount_above_the_limit_waits_for_the_head(setup):
    world, deal, cat = setup
    rep, head = world.users["rep"], world.users["head"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(
        actor=rep, proposal=proposal, product=cat["product"], discount_percent="25"
    )
    proposal.refresh_from_db()
    assert proposal.discount_approval == "pending"
    person = world.people["own"]
    with pytest.raises(DomainError) as exc:
        svc.proposal_send(actor=rep, proposal=proposal, person=person)
    assert "approval" in str(exc.value.message)
    with pytest.raises(DomainError):
        svc.proposal_accept(actor=rep, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == "draft" and not Order.objects.exists()
    # The rep and a head of another department may not approve; the head of Sales may.
    with pytest.raises(PermissionDenied):
        svc.proposal_approve_discount(actor=rep, proposal=proposal)
    proposal = svc.proposal_approve_discount(actor=head, proposal=proposal)
    assert (proposal.discount_approval, proposal.discount_approved_by) == ("approved", head)
    with pytest.raises(DomainError):
        svc.proposal_approve_discount(actor=head, proposal=proposal)
    order = svc.proposal_accept(actor=rep, proposal=proposal)
    assert order.total == proposal.total


def test_refused_discount_blocks_until_lowered(setup):
    world, deal, cat = setup
    rep, director = world.users["rep"], world.users["director"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    line = svc.proposal_line_add(
        actor=rep, proposal=proposal, product=cat["product"], discount_percent="30"
    )
    proposal = svc.proposal_refuse_discount(actor=director, proposal=proposal)
    assert proposal.discount_approval == "refused"
    with pytest.raises(DomainError):
        svc.proposal_accept(actor=rep, proposal=proposal)
    svc.proposal_line_update(actor=rep, line=line, discount_percent="10")
    proposal.refresh_from_db()
    assert proposal.discount_approval == "not_needed"


def test_currency_mismatch_is_refused(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    with pytest.raises(ValidationError) as exc:
        svc.proposal_update(actor=rep, proposal=proposal, price_list=cat["usd"])
    assert "USD" in str(exc.value.message_dict["price_list"])
    before = counts()
    with pytest.raises(ValidationError):
        svc.proposal_create(actor=rep, deal=deal, price_list=cat["usd"])
    assert counts() == before
    # A deal in pounds has no price list at all: a clear error on the product.
    gbp = svc.proposal_create(actor=rep, deal=make_deal(world, currency="GBP", name="GBP"))
    with pytest.raises(ValidationError) as exc:
        svc.proposal_line_add(actor=rep, proposal=gbp, product=cat["product"])
    assert "no price" in str(exc.value.message_dict["product"])


def test_stale_revision_is_refused(setup):
    world, deal, cat = setup
    rep, teammate = world.users["rep"], world.users["teammate"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    opened = proposal.revision
    svc.proposal_update(actor=teammate, proposal=proposal, revision=opened, title="Teammate's")
    before = counts()
    with pytest.raises(StaleWrite) as exc:
        svc.proposal_line_add(
            actor=rep, proposal=proposal, revision=opened, description="x", unit_price=1
        )
    assert "Reload" in str(exc.value.message)
    with pytest.raises(StaleWrite):
        svc.proposal_update(actor=rep, proposal=proposal, revision=opened, title="Mine")
    assert counts() == before
    assert Proposal.objects.get(pk=proposal.pk).title == "Teammate's"


def test_only_a_draft_is_edited_and_versions_keep_the_number(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    line = svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"])
    svc.proposal_send(actor=rep, proposal=proposal, person=world.people["own"])
    before = counts()
    with pytest.raises(DomainError) as exc:
        svc.proposal_line_update(actor=rep, line=line, quantity="3")
    assert "new version" in str(exc.value.message)
    with pytest.raises(DomainError):
        svc.proposal_update(actor=rep, proposal=proposal, title="Changed")
    assert counts() == before
    new = svc.proposal_new_version(actor=rep, proposal=proposal)
    proposal.refresh_from_db()
    assert (new.number, new.version, new.previous, new.status) == (
        proposal.number,
        2,
        proposal,
        "draft",
    )
    assert (
        proposal.status == "superseded" and new.lines.count() == 1 and new.total == proposal.total
    )
    assert str(new).endswith("v2")
    with pytest.raises(DomainError):
        svc.proposal_new_version(actor=rep, proposal=proposal)
    # The replaced version cannot get another version: the message points to the newest one.
    with pytest.raises(DomainError) as exc:
        svc.proposal_update(actor=rep, proposal=proposal, title="Changed")
    assert "Open the newest version" in str(exc.value) and "new version of" not in str(exc.value)


def test_accept_creates_the_order_once(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"], quantity=3)
    order = svc.proposal_accept(actor=rep, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_at is not None
    assert order.proposal == proposal and order.lines.count() == 1
    before = counts()
    with pytest.raises(DomainError) as exc:
        svc.proposal_accept(actor=rep, proposal=proposal)
    assert "already been accepted" in str(exc.value.message)
    # An accepted proposal cannot be versioned (its order exists): the advice is a new one.
    with pytest.raises(DomainError) as exc:
        svc.proposal_update(actor=rep, proposal=proposal, title="Changed")
    assert exc.value.code == "not_draft"
    assert "make a new proposal on the deal" in str(exc.value)
    assert "new version" not in str(exc.value)
    assert counts() == before


def test_reject_only_a_sent_proposal(setup):
    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"])
    with pytest.raises(DomainError):
        svc.proposal_reject(actor=rep, proposal=proposal)
    svc.proposal_send(actor=rep, proposal=proposal, person=world.people["own"])
    proposal = svc.proposal_reject(actor=rep, proposal=proposal)
    assert proposal.status == "rejected"
    with pytest.raises(DomainError):
        svc.proposal_accept(actor=rep, proposal=proposal)


def test_send_refuses_withdrawn_consent_and_strangers(setup):
    from rapport.contacts.models import Consent

    world, deal, cat = setup
    rep = world.users["rep"]
    proposal = svc.proposal_create(actor=rep, deal=deal)
    svc.proposal_line_add(actor=rep, proposal=proposal, product=cat["product"])
    with pytest.raises(ValidationError):
        svc.proposal_send(actor=rep, proposal=proposal, person=world.people["team"])
    Consent.objects.create(person=world.people["own"], channel="email", is_granted=False)
    with pytest.raises(ValidationError) as exc:
        svc.proposal_send(actor=rep, proposal=proposal, person=world.people["own"])
    assert "withdrawn" in str(exc.value.message_dict["person"])
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


@pytest.mark.parametrize("language", ["en", "ru", "uk", "lv"])
def test_pdf_in_the_customer_language(setup, language):
    world, deal, cat = setup
    rep = world.users["rep"]
    SellerDetails.objects.update_or_create(pk=1, defaults={"name": "Rapport Seller SIA"})
    proposal = svc.proposal_create(actor=rep, deal=deal, language=language)
    for _i in range(12):
        svc.proposal_line_add(
            actor=rep, proposal=proposal, product=cat["product"], quantity="1234.5"
        )
    proposal.refresh_from_db()
    # Its speed is a benchmark (bench/), not a test.
    pdf = svc.proposal_pdf(proposal)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    with translation.override(language):
        html = render_to_string("orders/pdf/proposal.html", svc.pdf_context(proposal))
    assert "Own Customer SIA" in html and "Rapport Seller SIA" in html
    assert "Ownfirst Ownlast" in html
    # 12 lines of 1234.5 × 90 = 111,105.00 + 21 % tax 23,332.05, written the customer's way.
    expected = {
        "en": "1,613,244.60",
        "ru": "1\xa0613\xa0244,60",
        "uk": "1\xa0613\xa0244,60",
        "lv": "1\xa0613\xa0244,60",
    }[language]
    assert proposal.total == D("1613244.60")
    assert expected in html, html[-1500:]
