"""Deal services: defaults, moves between stages, bad input, concurrent edits, parts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.core.errors import NotFound, StaleWrite, ValidationError
from rapport.core.models import ChangeRecord
from rapport.core.services import etag_for
from rapport.sales.models import (
    Deal,
    DealCompetitor,
    DealContact,
    DealParticipant,
    DealStageChange,
)
from rapport.sales.selectors.deals import (
    deals_for_company,
    deals_for_person,
    stage_history,
    time_per_stage,
)
from rapport.sales.services import deals as services
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage


@pytest.fixture
def pipeline(world):
    return make_pipeline(world.user("admin"))


def _counts():
    return (Deal.objects.count(), DealStageChange.objects.count(), ChangeRecord.objects.count())


def test_create_fills_the_defaults(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"], name="  Boiler room  ")
    assert deal.stage.name == "Qualification"
    assert deal.owner == rep and deal.team == world.teams["a"]
    assert deal.currency == "EUR" and deal.status == "open" and deal.closed_at is None
    assert deal.name == "Boiler room"
    first = DealStageChange.objects.get(deal=deal)
    assert first.from_stage is None and first.to_stage == deal.stage and first.actor == rep
    assert ChangeRecord.objects.filter(object_id=deal.pk, action="create").exists()


def test_create_takes_the_pipeline_currency(world):
    usd = make_pipeline(world.user("admin"), name="Export", currency="USD")
    deal = make_deal(world.user("rep"), usd, world.companies["own"])
    assert deal.currency == "USD"


def test_move_records_time_in_stage_and_closes_and_reopens(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    Deal.objects.filter(pk=deal.pk).update(
        stage_changed_at=timezone.now() - datetime.timedelta(days=3)
    )
    deal = services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Proposal"))
    change = DealStageChange.objects.filter(deal=deal).latest("changed_at")
    assert change.from_stage.name == "Qualification"
    assert 3 * 86400 - 5 <= change.seconds_in_from_stage <= 3 * 86400 + 5

    deal = services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Won"))
    assert deal.status == "won" and deal.closed_at is not None
    deal = services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Negotiation"))
    assert deal.status == "open" and deal.closed_at is None

    stays = stage_history(deal)
    assert [s.stage.name for s in stays] == ["Qualification", "Proposal", "Won", "Negotiation"]
    assert stays[0].days == 3.0 and stays[-1].left_at is None
    assert dict((s.name, sec) for s, sec in time_per_stage(deal))["Qualification"] >= 3 * 86400 - 5


def test_lost_needs_a_reason_and_keeps_it(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Lost"))
    assert "reason" in str(exc.value.message_dict["lost_reason"])
    assert _counts() == before and Deal.objects.get(pk=deal.pk).status == "open"

    reason = make_reason(world.user("admin"))
    deal = services.deal_move(
        actor=rep, deal=deal, stage=stage(pipeline, "Lost"), lost_reason=reason, lost_note="cheap"
    )
    assert deal.status == "lost" and deal.lost_reason == reason and deal.lost_note == "cheap"
    deal = services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Proposal"))
    assert deal.lost_reason is None and deal.closed_at is None


def test_a_stage_of_another_pipeline_is_refused(world, pipeline):
    rep = world.user("rep")
    other = make_pipeline(world.user("admin"), name="Renewals", noun="renewal")
    deal = make_deal(rep, pipeline, world.companies["own"])
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.deal_move(actor=rep, deal=deal, stage=stage(other, "Proposal"))
    assert "belongs to the pipeline “Renewals”" in exc.value.message_dict["stage"][0]
    assert _counts() == before and Deal.objects.get(pk=deal.pk).stage.pipeline == pipeline
    with pytest.raises(ValidationError):
        services.deal_update(actor=rep, deal=deal, stage=stage(other, "Proposal"))
    assert _counts() == before


def test_bad_input_writes_nothing(world, pipeline):
    rep = world.user("rep")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        make_deal(rep, pipeline, None, name="No customer")
    assert "customer" in exc.value.message_dict["company"][0]
    with pytest.raises(ValidationError) as exc:
        make_deal(rep, pipeline, world.companies["own"], amount="-5")
    assert "negative" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError):
        make_deal(rep, pipeline, world.companies["own"], name="x\x00y")
    # A customer the rep may not see.
    with pytest.raises(ValidationError) as exc:
        make_deal(rep, pipeline, world.companies["foreign"])
    assert "company" in exc.value.message_dict
    assert _counts() == before


def test_stale_edits_are_refused(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    seen = etag_for(deal)
    services.deal_update(actor=world.user("teammate"), deal=deal, amount=Decimal("5"))
    before = _counts()
    with pytest.raises(StaleWrite):
        services.deal_update(actor=rep, deal=deal, if_match=seen, amount=Decimal("7"))
    with pytest.raises(StaleWrite):
        services.deal_move(actor=rep, deal=deal, stage=stage(pipeline, "Proposal"), if_match=seen)
    assert _counts() == before and Deal.objects.get(pk=deal.pk).amount == Decimal("5")


def test_scope_of_writes(world, pipeline):
    deal = make_deal(world.user("outsider"), pipeline, world.companies["foreign"])
    with pytest.raises(NotFound):
        services.deal_move(actor=world.user("rep"), deal=deal, stage=stage(pipeline, "Proposal"))
    with pytest.raises(NotFound):
        services.deal_delete(actor=world.user("auditor"), deal=deal)
    services.deal_delete(actor=world.user("director"), deal=deal)
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_contacts_participants_competitors(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    contact = services.deal_contact_add(
        actor=rep, deal=deal, person=world.people["own"], role="decision_maker"
    )
    with pytest.raises(ValidationError):
        services.deal_contact_add(actor=rep, deal=deal, person=world.people["own"])
    with pytest.raises(ValidationError):
        services.deal_contact_add(actor=rep, deal=deal, person=world.people["foreign"])
    participant = services.deal_participant_add(
        actor=rep, deal=deal, user=world.user("teammate"), role="presales"
    )
    partner = services.deal_participant_add(
        actor=rep, deal=deal, partner=world.companies["team"], role="partner"
    )
    with pytest.raises(ValidationError):
        services.deal_participant_add(actor=rep, deal=deal)
    competitor = services.deal_competitor_add(
        actor=rep, deal=deal, company=world.companies["team"], note="cheaper"
    )
    assert DealContact.objects.filter(deal=deal).count() == 1
    assert DealParticipant.objects.filter(deal=deal).count() == 2
    assert DealCompetitor.objects.get(deal=deal).note == "cheaper"
    assert deals_for_person(rep, world.people["own"]) == [deal]
    services.deal_contact_remove(actor=rep, deal=deal, contact_id=contact.pk)
    services.deal_participant_remove(actor=rep, deal=deal, participant_id=participant.pk)
    services.deal_participant_remove(actor=rep, deal=deal, participant_id=partner.pk)
    services.deal_competitor_remove(actor=rep, deal=deal, competitor_id=competitor.pk)
    assert not DealParticipant.objects.filter(deal=deal).exists()
    with pytest.raises(NotFound):
        services.deal_competitor_remove(actor=rep, deal=deal, competitor_id=competitor.pk)
    assert ChangeRecord.objects.filter(parent_object_id=deal.pk, action="delete").count() == 4


def test_customer_deals_are_scoped(world, pipeline):
    mine = make_deal(world.user("rep"), pipeline, world.companies["own"], name="Mine")
    theirs = make_deal(world.user("director"), pipeline, world.companies["own"], name="Director's")
    assert deals_for_company(world.user("rep"), world.companies["own"]) == [mine]
    assert deals_for_company(world.user("director"), world.companies["own"]) == [theirs, mine]
    assert deals_for_company(world.user("marketer"), world.companies["own"]) == []
