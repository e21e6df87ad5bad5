"""Finding duplicates (and telling only what the user may know) and merging them without loss."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from rapport.activities.models import Activity
from rapport.activities.services.activities import activity_log
from rapport.contacts import dedupe
from rapport.contacts.dedupe import company_probe, person_probe
from rapport.contacts.models import Company, CompanyAddress, Consent, Employment, Person
from rapport.contacts.services import (
    company_create,
    company_merge,
    company_update,
    consent_set,
    employment_set,
    person_create,
    person_merge,
    person_update,
)
from rapport.core.errors import NotFound
from rapport.core.models import ChangeRecord

VISIBLE_ONLY_KEYS = {"id", "url", "last_contacted_at"}


def company_duplicates(user, **data) -> list[dict]:
    """What the company form and API show the user for the values typed."""
    probe = company_probe({k: data.get(k, "") for k in ("name", "tax_number", "email", "phone")})
    return dedupe.disclose(Company, dedupe.company_matches([probe])[0], user)


def person_duplicates(user, first="", last="", emails=(), phones=()) -> list[dict]:
    probe = person_probe(first, last, list(emails), list(phones))
    return dedupe.disclose(Person, dedupe.person_matches([probe])[0], user)


def history_of(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk)


# Finding duplicates ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("Romashka SIA", "ООО Ромашка"),
        ("ООО «Ромашка»", "Romashka Ltd"),
        ("Romaška SIA", "ООО Ромашка"),  # Latvian spelling, fuzzy
        ("ТОВ Будівельник", "Budivelnyk LLC"),  # the soft sign must not split the word
        ("Львівська пекарня", "Lvivska Pekarnia"),
        ("Baltic Timber Group", "Baltik Timber Group AS"),  # a typo
    ],
)
def test_company_with_a_transliterated_or_misspelt_name_is_found(world, existing, typed):
    rep = world.user("rep")
    company = company_create(actor=rep, name=existing)
    found = company_duplicates(rep, name=typed)
    assert [d["id"] for d in found] == [company.pk]
    assert found[0]["reasons"] == ["similar name"]


@pytest.mark.parametrize("typed", ["Roma Pizza", "Romantika SIA", "Ромб ООО"])
def test_different_company_names_are_not_duplicates(world, typed):
    rep = world.user("rep")
    company_create(actor=rep, name="Romashka SIA")
    assert company_duplicates(rep, name=typed) == []


def test_company_with_the_same_tax_number_email_or_phone_is_found(world):
    rep = world.user("rep")
    own, team = world.companies["own"], world.companies["team"]
    by_tax = company_duplicates(rep, name="Totally New", tax_number="lv 4000 0000 001")
    assert [(d["id"], d["reasons"]) for d in by_tax] == [(own.pk, ["same tax number"])]
    by_email = company_duplicates(rep, name="Another", email="TEAM@Example.com")
    assert [(d["id"], d["reasons"]) for d in by_email] == [(team.pk, ["same e-mail"])]
    by_phone = company_duplicates(rep, name="Third", phone="0037126000001")
    assert [(d["id"], d["reasons"]) for d in by_phone] == [(own.pk, ["same phone"])]


def test_person_with_the_same_email_or_phone_or_name_is_found(world):
    rep = world.user("rep")
    own = world.people["own"]
    assert [
        d["id"] for d in person_duplicates(rep, "X", "Y", emails=["OWN.Person@example.com"])
    ] == [own.pk]
    assert [d["id"] for d in person_duplicates(rep, "X", "Y", phones=["0037126100000"])] == [own.pk]
    by_name = person_duplicates(rep, "Ownfirst", "Ownlast")
    assert [(d["id"], d["reasons"]) for d in by_name] == [(own.pk, ["similar name"])]
    person = person_create(actor=rep, first_name="Пётр", last_name="Иванов")
    assert [d["id"] for d in person_duplicates(rep, "Petr", "Ivanov")] == [person.pk]
    assert person_duplicates(rep, "Anna", "Ivanova", emails=["anna@example.com"]) == []


def test_strong_matches_come_before_similar_names(world):
    rep = world.user("rep")
    by_name = company_create(actor=rep, name="Own Customer Ltd")
    found = company_duplicates(rep, name="Own Customer", tax_number="LV40000000001")
    assert [d["id"] for d in found] == [world.companies["own"].pk, by_name.pk]
    assert found[0]["reasons"] == ["same tax number", "similar name"]


def test_out_of_scope_duplicate_shows_only_who_to_talk_to(world):
    rep = world.user("rep")
    [found] = company_duplicates(rep, name="Foreign Customer", tax_number="UA12345678")
    assert found == {
        "name": "Foreign Customer TOV",
        "curator": "Outsider Tester",
        "curator_team": "Team B",
        "reasons": ["same tax number", "similar name"],
        "is_visible": False,
    }
    [person] = person_duplicates(rep, emails=["foreign.person@example.com"])
    assert not VISIBLE_ONLY_KEYS & set(person)
    assert (person["name"], person["curator"]) == ("Foreignfirst Foreignlast", "Outsider Tester")

    # The record's own curator sees everything about it.
    [mine] = company_duplicates(world.user("outsider"), tax_number="UA12345678")
    assert mine["id"] == world.companies["foreign"].pk
    assert mine["url"] == world.companies["foreign"].get_absolute_url()


def test_duplicate_panel_and_create_form_do_not_leak_the_hidden_record(world, client):
    client.force_login(world.user("rep"))
    foreign = world.companies["foreign"]
    panel = client.get("/companies/duplicates/", {"name": "Foreign Customer"})
    html = panel.content.decode()
    assert "Foreign Customer TOV" in html and "Outsider Tester" in html and "Team B" in html
    assert foreign.get_absolute_url() not in html

    before = Company.objects.count()
    form = {
        "name": "Foreign Customer",
        "kind": "customer",
        "source": "manual",
        "address_kind": "office",
    }
    response = client.post("/companies/new/", form)
    assert response.status_code == 200
    assert "Foreign Customer TOV" in response.content.decode()
    assert foreign.get_absolute_url() not in response.content.decode()
    assert Company.objects.count() == before

    response = client.post("/companies/new/", {**form, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Company.objects.count() == before + 1


# Merging -----------------------------------------------------------------------------------------
@pytest.fixture
def twin_person(world):
    """A second card of the rep's contact, with things the first one lacks."""
    rep = world.user("rep")
    twin = person_create(
        actor=rep,
        first_name="Ownfirst",
        last_name="Ownlast",
        position="Procurement lead",
        birthday=datetime.date(1985, 3, 14),
        emails=["own.person@example.com", "second@example.com"],
        phones=["+371 26 555 555"],
        tags=["vip"],
        companies=[(world.companies["team"], "Adviser"), (world.companies["own"], "Buyer")],
    )
    person_update(actor=rep, person=twin, notes="Met at the fair")
    consent_set(actor=rep, person=twin, channel="sms", is_granted=True, method="verbal")
    activity_log(actor=rep, person=twin, kind="meeting", subject="Meeting with the twin")
    return twin


def test_person_merge_keeps_everything_and_removes_the_duplicate(world, twin_person):
    rep = world.user("rep")
    target = world.people["own"]
    twin_pk, twin_history = (
        twin_person.pk,
        set(history_of(twin_person).values_list("pk", flat=True)),
    )
    person_update(actor=rep, person=target, tags=["key account"])

    merged = person_merge(actor=rep, target=target, source=twin_person)

    assert not Person.objects.filter(pk=twin_pk).exists()
    merged = Person.objects.get(pk=target.pk)
    assert merged.full_name == "Ownfirst Ownlast"
    assert (merged.position, merged.birthday) == ("Procurement lead", datetime.date(1985, 3, 14))
    assert merged.notes == "Met at the fair"
    assert sorted(merged.emails.values_list("email", flat=True)) == [
        "own.person@example.com",
        "second@example.com",
    ]
    assert sorted(merged.phones.values_list("number", flat=True)) == [
        "+37126100000",
        "+37126555555",
    ]
    assert merged.email == "own.person@example.com" and merged.phone == "+37126100000"
    assert sorted(t.name for t in merged.tags.all()) == ["key account", "vip"]
    assert set(Activity.objects.filter(person=merged).values_list("subject", flat=True)) == {
        "Call about own",
        "Meeting with the twin",
    }
    assert Consent.objects.get(channel="sms").person == merged
    companies = {e.company.name: e.position for e in merged.employments.all()}
    assert companies == {"Own Customer SIA": "Buyer", "Team Customer OOO": "Adviser"}
    # The person's main e-mail, phone and company are still the kept card's, and only one each.
    assert merged.emails.get(is_primary=True).email == "own.person@example.com"
    assert merged.phones.get(is_primary=True).number == "+37126100000"
    assert merged.employments.get(is_primary=True).company == world.companies["own"]

    # The duplicate's history now belongs to the kept record, and the merge itself is logged.
    assert twin_history <= set(history_of(merged).values_list("pk", flat=True))
    assert not ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=twin_pk
    ).exists()
    merge = history_of(merged).get(action="merge")
    assert merge.actor == rep
    assert merge.after["merged_from"] == f"Ownfirst Ownlast (#{twin_pk})"
    assert merge.before["merged"]["position"] == "Procurement lead"
    assert merge.before["kept"]["position"] == ""


def test_company_merge_moves_people_activities_and_addresses(world):
    rep = world.user("rep")
    target, person = world.companies["own"], world.people["own"]
    source = company_create(
        actor=rep,
        name="Own Customer",
        legal_name="Own Customer SIA (legal)",
        website="https://own.example.com",
        phone="+371 26 999 999",
        tags=["wholesale"],
        addresses=[{"street": "Brivibas 1", "city": "Riga", "country": "lv"}],
    )
    newcomer = person_create(actor=rep, last_name="Newcomer", companies=[(source, "CFO")])
    activity_log(actor=rep, company=source, kind="call", subject="Call to the duplicate")
    employment_set(actor=rep, person=person, company=source, position="Owner", is_primary=True)
    company_update(actor=rep, company=source, notes="Prefers e-mail")

    merged = company_merge(actor=rep, target=target, source=source)

    assert not Company.objects.filter(pk=source.pk).exists()
    merged.refresh_from_db()
    assert merged.name == "Own Customer SIA"
    assert merged.phone == "+37126000001"  # the kept record's value wins
    assert merged.legal_name == "Own Customer SIA (legal)"  # blanks are filled
    assert merged.website == "https://own.example.com"
    assert merged.notes == "Prefers e-mail"
    assert [t.name for t in merged.tags.all()] == ["wholesale"]
    assert [str(a) for a in CompanyAddress.objects.filter(company=merged)] == [
        "Brivibas 1, Riga, LV"
    ]
    assert set(merged.activities.values_list("subject", flat=True)) == {
        "Call about own",
        "Call to the duplicate",
    }
    assert set(
        Employment.objects.filter(company=merged).values_list("person__last_name", flat=True)
    ) == {
        "Ownlast",
        "Newcomer",
    }
    # The contact who worked at both keeps one role there, still their main company.
    own_role = Employment.objects.get(person=person)
    assert own_role.company == merged and own_role.is_primary
    assert history_of(merged).filter(action="merge").count() == 1
    assert history_of(merged).filter(action="create", object_repr="Own Customer").exists()
    assert list(Person.objects.get(pk=newcomer.pk).companies.all()) == [merged]


@pytest.mark.parametrize("case", ["kinds", "same", "foreign", "auditor"])
def test_invalid_merges_are_refused_and_change_nothing(world, case):
    rep = world.user("rep")
    target, other = world.companies["own"], world.companies["team"]
    counts = (Company.objects.count(), Person.objects.count(), ChangeRecord.objects.count())
    if case == "kinds":
        with pytest.raises(ValidationError, match="two different records of the same kind"):
            company_merge(actor=rep, target=target, source=world.people["own"])
    elif case == "same":
        with pytest.raises(ValidationError, match="two different records of the same kind"):
            person_merge(actor=rep, target=world.people["own"], source=world.people["own"])
    elif case == "foreign":
        with pytest.raises(NotFound):
            company_merge(actor=rep, target=target, source=world.companies["foreign"])
    else:
        with pytest.raises(NotFound):
            company_merge(actor=world.user("auditor"), target=target, source=other)
    assert (Company.objects.count(), Person.objects.count(), ChangeRecord.objects.count()) == counts
    assert Company.objects.get(pk=world.companies["foreign"].pk).activities.count() == 1
