"""Leads: arriving by hand, checked, given out, qualified or disqualified, converted into a deal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import Territory
from rapport.contacts.models import Company, Person
from rapport.core.errors import DomainError
from rapport.core.models import ChangeRecord, OutboxMessage
from rapport.sales.choices import DistributionMethod, LeadStatus, StageKind
from rapport.sales.models import Deal, DistributionRule, Lead, Pipeline, Stage
from rapport.sales.services.leads import (
    DuplicatesFound,
    lead_assign,
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_qualify,
)


def counts():
    return (
        Lead.objects.count(),
        Company.objects.count(),
        Person.objects.count(),
        Deal.objects.count(),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def pipeline(db):
    pipeline = Pipeline.objects.create(name="New business", currency="EUR")
    Stage.objects.create(pipeline=pipeline, name="Contact", position=1, probability=10)
    Stage.objects.create(pipeline=pipeline, name="Offer", position=2, probability=40)
    Stage.objects.create(pipeline=pipeline, name="Won", position=3, kind=StageKind.WON)
    return pipeline


@pytest.fixture(autouse=True)
def outbox(settings):
    """Messages kept in the outbox, as in production without SMTP (tests default to memory)."""
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "x@example.com"}, "last_name"),  # nobody to talk to
        ({"last_name": "Ozols"}, "email"),  # no way to reach them
        ({"last_name": "Ozols", "email": "not-an-address"}, "email"),
        ({"last_name": "Ozols", "phone": "12"}, "phone"),
        ({"last_name": "Oz\x00ols", "email": "a@example.com"}, "last_name"),
        ({"last_name": "Ozols", "email": "a@example.com", "source": "carrier-pigeon"}, "source"),
    ],
)
def test_a_lead_without_a_name_or_a_way_to_reach_them_is_refused(world, fields, field):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        lead_create(actor=world.users["rep"], **fields)
    assert field in caught.value.message_dict
    assert counts() == before


def test_the_form_shows_what_is_missing_and_writes_nothing(world):
    client = login(world.users["rep"])
    before = counts()
    response = client.post(reverse("sales:lead_create"), {"first_name": "Anna", "source": "manual"})
    assert response.status_code == 422
    assert "Give an e-mail address or a phone number." in response.content.decode()
    assert counts() == before


def test_a_lead_entered_by_hand_with_its_author_as_owner(world):
    rep = world.users["rep"]
    client = login(rep)
    response = client.post(
        reverse("sales:lead_create"),
        {
            "first_name": "Anna",
            "last_name": "Berzina",
            "company_name": "Berzina Design SIA",
            "email": " Anna@Example.com ",
            "phone": "26 123 456",
            "source": "event",
            "campaign": "Riga Expo 2026",
            "owner": rep.pk,
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    assert (lead.email, lead.phone, lead.owner, lead.team) == (
        "anna@example.com",
        "+37126123456",
        rep,
        world.teams["a"],
    )
    card = client.get(lead.get_absolute_url()).content.decode()
    assert "Riga Expo 2026" in card and "Berzina Design SIA" in card
    listing = client.get(reverse("sales:lead_list") + "?q=berzina").content.decode()
    assert "Berzina Design SIA" in listing
    assert (
        "Berzina"
        not in client.get(reverse("sales:lead_list") + "?source=web_form").content.decode()
    )


# Distribution -----------------------------------------------------------------------------------
def test_round_robin_in_the_team_skips_inactive_people_and_tells_each_assignee(
    world, django_capture_on_commit_callbacks
):
    rep, teammate = world.users["rep"], world.users["teammate"]
    teammate.language = "lv"
    teammate.save()
    DistributionRule.objects.create(name="Everything to A", team=world.teams["a"], position=5)
    with django_capture_on_commit_callbacks(execute=True):
        owners = [
            lead_create(actor=None, last_name=f"Lead {i}", email=f"l{i}@example.com").owner
            for i in range(4)
        ]
    assert owners == [rep, teammate, rep, teammate]
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == sorted(
        ["rep@example.com", "teammate@example.com"] * 2
    )
    assert "Lead 0" in OutboxMessage.objects.filter(to="rep@example.com").earliest("pk").subject
    teammate.is_active = False
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert lead_create(actor=None, last_name="Next", email="n@example.com").owner == rep
        assert lead_create(actor=None, last_name="Again", email="g@example.com").owner == rep


def test_the_first_matching_rule_decides_and_a_queue_rule_leaves_the_lead_for_the_head(world):
    riga = Territory.objects.create(name="Riga")
    DistributionRule.objects.create(
        name="Riga IT to the teammate",
        position=1,
        territory=riga,
        industry="it",
        method=DistributionMethod.USER,
        team=world.teams["a"],
        user=world.users["teammate"],
    )
    DistributionRule.objects.create(
        name="Events wait", position=2, source="event", method="queue", team=world.teams["a"]
    )
    DistributionRule.objects.create(
        name="Inactive", position=0, team=world.teams["b"], is_active=False
    )
    it_lead = lead_create(
        actor=None, last_name="Kalns", email="k@example.com", territory=riga, industry="it"
    )
    assert it_lead.owner == world.users["teammate"]
    queued = lead_create(actor=None, last_name="Liepa", email="li@example.com", source="event")
    assert (queued.owner, queued.team) == (None, world.teams["a"])
    nothing = lead_create(actor=world.users["outsider"], last_name="Zars", email="z@example.com")
    assert (nothing.owner, nothing.team) == (None, world.teams["b"])  # the author's team queue


def test_a_head_assigns_from_the_queue_and_a_rep_cannot(world, django_capture_on_commit_callbacks):
    lead = lead_create(actor=None, last_name="Queued", email="q@example.com", team=world.teams["a"])
    rep_client = login(world.users["rep"])
    assert rep_client.get(reverse("sales:lead_queue")).status_code == 404
    assert (
        rep_client.post(
            reverse("sales:lead_assign", args=[lead.pk]), {"user": world.users["rep"].pk}
        ).status_code
        == 404
    )
    head = login(world.users["head"])
    queue = head.get(reverse("sales:lead_queue")).content.decode()
    assert "Queued" in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(
            reverse("sales:lead_assign", args=[lead.pk]),
            {"user": world.users["teammate"].pk, "next": "queue"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("sales:lead_queue")
    lead.refresh_from_db()
    assert lead.owner == world.users["teammate"] and lead.assigned_at
    assert OutboxMessage.objects.get().to == "teammate@example.com"
    assert "Queued" not in head.get(reverse("sales:lead_queue")).content.decode()
    card = head.get(lead.get_absolute_url()).content.decode()
    assert "Teammate Tester" in card.split('id="assignment-history"')[1]
    # Someone outside the head's department is refused, and nothing changes.
    with pytest.raises(ValidationError):
        lead_assign(actor=world.users["head"], lead=lead, user=world.users["outsider"])
    lead.refresh_from_db()
    assert lead.owner == world.users["teammate"]


# Qualify, disqualify --------------------------------------------------------------------------
def test_disqualifying_needs_a_reason(world):
    rep = world.users["rep"]
    lead = lead_create(actor=rep, last_name="Spam", email="s@example.com", owner=rep)
    client = login(rep)
    response = client.post(reverse("sales:lead_disqualify", args=[lead.pk]), {"note": "?"})
    assert response.status_code == 422
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    response = client.post(
        reverse("sales:lead_disqualify", args=[lead.pk]), {"reason": "spam", "note": "a bot"}
    )
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason, lead.disqualify_note) == (
        "disqualified",
        "spam",
        "a bot",
    )
    client.post(reverse("sales:lead_status", args=[lead.pk]), {"step": "qualify"})
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("qualified", "")
    with pytest.raises(ValidationError):
        lead_disqualify(actor=rep, lead=lead, reason="")


# Conversion -----------------------------------------------------------------------------------
def test_converting_creates_company_person_and_deal_once(world, pipeline):
    rep = world.users["rep"]
    lead = lead_create(
        actor=rep,
        owner=rep,
        first_name="Janis",
        last_name="Koks",
        position="CEO",
        company_name="Koks Furniture SIA",
        email="janis@koks.lv",
        source="referral",
        campaign="Friends",
    )
    lead_qualify(actor=rep, lead=lead)
    client = login(rep)
    offer = pipeline.stages.get(name="Offer")
    response = client.post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {"pipeline": pipeline.pk, "stage": offer.pk, "amount": "1500.00", "deal_name": "Chairs"},
    )
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    lead.refresh_from_db()
    company, person = (
        Company.objects.get(name="Koks Furniture SIA"),
        Person.objects.get(last_name="Koks"),
    )
    assert (lead.status, lead.company, lead.person) == ("converted", company, person)
    # The person who asked is the deal's first contact on the customer's side.
    assert list(deal.contacts.values_list("person_id", "role")) == [(person.pk, "decision_maker")]
    assert (deal.name, deal.stage, deal.amount, deal.owner, deal.company, deal.person) == (
        "Chairs",
        offer,
        1500,
        rep,
        company,
        person,
    )
    assert (deal.source, deal.campaign, deal.lead) == ("referral", "Friends", lead)
    assert person.employments.get().company == company
    assert company.curator == rep and company.kind == "prospect"
    card = client.get(lead.get_absolute_url()).content.decode()
    assert deal.get_absolute_url() in card and company.get_absolute_url() in card
    # Twice: a clear error, nothing more written.
    before = counts()
    response = client.post(reverse("sales:lead_convert", args=[lead.pk]), {"pipeline": pipeline.pk})
    assert response.status_code == 422
    assert "This lead is already converted." in response.content.decode()
    with pytest.raises(DomainError, match="already converted"):
        lead_convert(actor=rep, lead=lead, pipeline=pipeline)
    assert counts() == before


def test_an_existing_customer_is_linked_never_copied(world, pipeline):
    rep = world.users["rep"]
    # The same e-mail as a person of the team's base, and the same phone as the own company.
    lead = lead_create(
        actor=rep,
        owner=rep,
        first_name="Ownfirst",
        last_name="Ownlast",
        company_name="Own Customer",
        email="own.person@example.com",
        phone="+371 26 000 001",
    )
    before = counts()
    with pytest.raises(DuplicatesFound) as caught:
        lead_convert(actor=rep, lead=lead, pipeline=pipeline, confirm_new=True)
    assert caught.value.blocking
    assert [d["id"] for d in caught.value.companies] == [world.companies["own"].pk]
    assert [d["id"] for d in caught.value.people] == [world.people["own"].pk]
    assert counts() == before
    client = login(rep)
    page = client.post(
        reverse("sales:lead_convert", args=[lead.pk]), {"pipeline": pipeline.pk}
    ).content.decode()
    assert "already in the base" in page and 'name="link_company"' in page
    response = client.post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {
            "pipeline": pipeline.pk,
            "link_company": world.companies["own"].pk,
            "person": world.people["own"].pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    deal = Deal.objects.get()
    assert (deal.company, deal.person) == (world.companies["own"], world.people["own"])
    assert Company.objects.count() == before[1] and Person.objects.count() == before[2]


def test_a_similar_name_only_asks_for_confirmation(world, pipeline):
    rep = world.users["rep"]
    lead = lead_create(actor=rep, owner=rep, company_name="Own Customer", email="new@other.example")
    with pytest.raises(DuplicatesFound) as caught:
        lead_convert(actor=rep, lead=lead, pipeline=pipeline)
    assert not caught.value.blocking
    lead, deal = lead_convert(actor=rep, lead=lead, pipeline=pipeline, confirm_new=True)
    assert deal.company.name == "Own Customer" and deal.company != world.companies["own"]


def test_a_stage_of_another_pipeline_is_refused(world, pipeline):
    rep = world.users["rep"]
    other = Pipeline.objects.create(name="Renewals", currency="EUR")
    foreign_stage = Stage.objects.create(pipeline=other, name="Talk", position=1)
    lead = lead_create(actor=rep, owner=rep, company_name="Solo SIA", email="solo@example.com")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        lead_convert(actor=rep, lead=lead, pipeline=pipeline, stage=foreign_stage)
    assert "stage" in caught.value.message_dict
    assert counts() == before


def test_someone_elses_lead_is_not_found(world):
    outsider = world.users["outsider"]
    lead = lead_create(actor=outsider, owner=outsider, last_name="Theirs", email="t@example.com")
    client = login(world.users["rep"])
    assert client.get(lead.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("sales:lead_status", args=[lead.pk]), {"step": "qualify"}).status_code
        == 404
    )
    assert "Theirs" not in client.get(reverse("sales:lead_list")).content.decode()


def test_lists_run_the_same_number_of_queries_for_more_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rapport.accounts.services import token_create

    head = world.users["head"]
    token = token_create(actor=head, name="count")[1]
    client = login(head)

    def add(start, count):
        for i in range(start, start + count):
            lead_create(
                actor=head,
                owner=world.users["rep"] if i % 2 else None,
                team=world.teams["a"],
                last_name=f"Counted{i}",
                email=f"c{i}@example.com",
            )

    def measure():
        sizes = []
        for url, headers in (
            (reverse("sales:lead_list"), {}),
            (reverse("sales:lead_queue"), {}),
            ("/api/v1/leads/", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, **headers).status_code == 200
            sizes.append(len(queries))
        return sizes

    add(0, 2)
    measure()  # the first requests fill the process's caches (content types, settings)
    few = measure()
    add(2, 20)
    assert measure() == few
