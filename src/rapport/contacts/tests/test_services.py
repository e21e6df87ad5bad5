"""Writing companies and people through the services: normalisation, validation, scope, history."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.contacts.filtersets import CompanyFilterSet, PersonFilterSet
from rapport.contacts.models import (
    Company,
    CompanyAddress,
    Consent,
    Employment,
    Person,
    PersonEmail,
    PersonPhone,
)
from rapport.contacts.services import (
    company_create,
    company_delete,
    company_update,
    consent_set,
    employment_set,
    person_create,
    person_delete,
    person_update,
    record_verified,
)
from rapport.core.configuration import custom_field_save, site_configuration_update
from rapport.core.errors import NotFound, OutOfScope, StaleWrite
from rapport.core.models import ChangeRecord, CustomFieldDefinition, SiteConfiguration, Tag
from rapport.core.services import etag_for

TABLES = (Company, CompanyAddress, Person, PersonEmail, PersonPhone, Employment, Consent, Tag)


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in TABLES}
    counts["ChangeRecord"] = ChangeRecord.objects.count()
    return counts


def changes_of(obj, action: str | None = None):
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )
    return records.filter(action=action) if action else records


def error_fields(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def define_field(world, target: str, key: str, field_type: str = "text", **extra):
    return custom_field_save(
        actor=world.user("admin"),
        definition=CustomFieldDefinition(
            target=target,
            key=key,
            label=key.replace("_", " ").capitalize(),
            field_type=field_type,
            **extra,
        ),
    )


# Normalisation -----------------------------------------------------------------------------------
def test_company_phone_is_stored_in_e164_and_email_lower_cased(world):
    company = company_create(
        actor=world.user("rep"),
        name="  Baltic Nails SIA ",
        phone="+371 26 123 456",
        email="Sales@Baltic-Nails.LV",
        tax_number="lv 4000 3000 111",
    )
    company.refresh_from_db()
    assert company.phone == "+37126123456"
    assert company.email == "sales@baltic-nails.lv"
    assert company.name == "Baltic Nails SIA"
    assert company.tax_number == "LV40003000111"


def test_national_phone_uses_the_configured_region(world, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "UA"
    person = person_create(
        actor=world.user("rep"),
        first_name="Олена",
        last_name="Коваль",
        phones=["067 123 45 67", "+371 26 123 456"],
        emails=["Olena.Koval@Example.UA"],
    )
    assert list(person.phones.order_by("-is_primary", "pk").values_list("number", flat=True)) == [
        "+380671234567",
        "+37126123456",
    ]
    assert person.phone == "+380671234567"
    assert person.email == "olena.koval@example.ua"
    assert list(person.emails.values_list("email", flat=True)) == ["olena.koval@example.ua"]


def test_repeated_contact_points_are_stored_once(world):
    person = person_create(
        actor=world.user("rep"),
        last_name="Berzins",
        emails=["a@example.com", "A@EXAMPLE.COM"],
        phones=["+37126123456", "+371 26 123 456"],
    )
    assert person.emails.count() == 1
    assert person.phones.count() == 1


# Validation --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "is not a valid phone number"),
        ({"phone": "+371 26\x00123 456"}, "phone", "is not a valid phone number"),
        ({"email": "sales@@example"}, "email", "is not a valid e-mail address"),
        ({"email": "sales\x00@example.com"}, "email", "valid e-mail address"),
        ({"name": "Nul\x00 Ltd"}, "name", "must not contain NUL characters"),
        ({"legal_name": "Legal\x00"}, "legal_name", "must not contain NUL characters"),
        ({"name": "N" * 201}, "name", "at most 200 characters"),
        ({"tax_number": "1" * 41}, "tax_number", "at most 40 characters"),
        ({"notes": "n" * 10_001}, "notes", "at most 10000 characters"),
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"website": "not a url"}, "website", "Enter a valid URL."),
    ],
)
def test_company_create_rejects_invalid_values_and_writes_nothing(world, fields, field, message):
    before = row_counts()
    data = {"name": "Valid Name SIA", **fields}
    with pytest.raises(ValidationError) as excinfo:
        company_create(actor=world.user("rep"), **data)
    assert any(message in m for m in error_fields(excinfo)[field])
    assert row_counts() == before


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"emails": ["ok@example.com", "broken@"]}, "emails", "is not a valid e-mail address"),
        ({"phones": ["+371 26 123 456", "123"]}, "phones", "is not a valid phone number"),
        ({"first_name": "Jā\x00nis"}, "first_name", "must not contain NUL characters"),
        ({"last_name": ""}, "last_name", "This field cannot be blank."),
        ({"position": "p" * 151}, "position", "at most 150 characters"),
        ({"tags": ["t" * 61]}, "tags", "at most 60 characters"),
        ({"emails": [f"p{i}@example.com" for i in range(21)]}, "emails", "At most 20"),
    ],
)
def test_person_create_rejects_invalid_values_and_writes_nothing(world, kwargs, field, message):
    before = row_counts()
    data = {"first_name": "Jānis", "last_name": "Bērziņš", **kwargs}
    with pytest.raises(ValidationError) as excinfo:
        person_create(actor=world.user("rep"), companies=[(world.companies["own"], "CEO")], **data)
    assert any(message in m for m in error_fields(excinfo)[field])
    assert row_counts() == before


def test_invalid_update_leaves_the_record_as_it_was(world):
    company = world.companies["own"]
    before = row_counts()
    with pytest.raises(ValidationError):
        company_update(actor=world.user("rep"), company=company, name="Renamed", phone="nonsense")
    company.refresh_from_db()
    assert (company.name, company.phone) == ("Own Customer SIA", "+37126000001")
    assert row_counts() == before


def test_auditor_cannot_create_change_or_delete(world):
    auditor = world.user("auditor")
    before = row_counts()
    with pytest.raises(NotFound):
        company_create(actor=auditor, name="Audit Ltd")
    with pytest.raises(NotFound):
        company_update(actor=auditor, company=world.companies["own"], name="Audited")
    with pytest.raises(NotFound):
        person_delete(actor=auditor, person=world.people["own"])
    assert row_counts() == before
    assert Company.objects.get(pk=world.companies["own"].pk).name == "Own Customer SIA"


# Custom fields -----------------------------------------------------------------------------------
def test_custom_fields_are_converted_validated_and_kept_on_partial_update(world):
    define_field(world, "contacts.company", "employees", "number")
    define_field(world, "contacts.company", "segment", "choice", choices=["A", "B"])
    define_field(world, "contacts.company", "since", "date")
    rep = world.user("rep")
    company = company_create(
        actor=rep, name="Custom SIA", custom={"employees": "12,5", "segment": "A", "since": ""}
    )
    assert company.custom == {"employees": 12.5, "segment": "A"}

    company = company_update(actor=rep, company=company, custom={"since": "2020-02-29"})
    company.refresh_from_db()
    assert company.custom == {"employees": 12.5, "segment": "A", "since": "2020-02-29"}

    with pytest.raises(ValidationError) as excinfo:
        company_update(actor=rep, company=company, custom={"segment": "C", "employees": "many"})
    errors = error_fields(excinfo)
    assert "not one of the choices" in errors["segment"][0]
    assert "must be a number" in errors["employees"][0]
    company.refresh_from_db()
    assert company.custom["segment"] == "A"


def test_unknown_and_missing_required_custom_fields_are_rejected(world):
    define_field(world, "contacts.person", "badge", "text", is_required=True)
    before = row_counts()
    with pytest.raises(ValidationError) as excinfo:
        person_create(actor=world.user("rep"), last_name="Ozols", custom={"shoe_size": "42"})
    errors = error_fields(excinfo)
    assert errors["shoe_size"] == ["There is no custom field with this key."]
    assert errors["badge"] == ["Badge is required."]
    with pytest.raises(ValidationError) as excinfo:
        person_create(actor=world.user("rep"), last_name="Ozols", custom={"badge": "a\x00b"})
    assert "NUL" in error_fields(excinfo)["badge"][0]
    assert row_counts() == before


# Tags and change log -----------------------------------------------------------------------------
def test_tags_are_created_once_and_replaced_on_update(world):
    rep = world.user("rep")
    first = company_create(actor=rep, name="Tagged One", tags=["VIP", "Export", " VIP "])
    second = company_create(actor=rep, name="Tagged Two", tags=["VIP"])
    assert sorted(t.name for t in first.tags.all()) == ["Export", "VIP"]
    assert Tag.objects.filter(name="VIP").count() == 1
    assert list(second.tags.all()) == [Tag.objects.get(name="VIP")]

    company_update(actor=rep, company=first, tags=["Export", "Wholesale"])
    assert sorted(t.name for t in first.tags.all()) == ["Export", "Wholesale"]
    change = changes_of(first, "update").get()
    assert change.before["tags"] == ["Export", "VIP"]
    assert change.after["tags"] == ["Export", "Wholesale"]


def test_change_log_records_who_changed_what_before_and_after(world):
    rep = world.user("rep")
    company = world.companies["own"]
    company_update(actor=rep, company=company, phone="+371 26 123 456", kind="partner")
    change = changes_of(company, "update").get()
    assert change.actor == rep
    assert change.object_repr == "Own Customer SIA"
    assert (change.before["phone"], change.after["phone"]) == ("+37126000001", "+37126123456")
    assert (change.before["kind"], change.after["kind"]) == ("customer", "partner")
    changed = {
        k for k in {**change.before, **change.after} if change.before.get(k) != change.after.get(k)
    }
    assert changed == {"phone", "kind"}

    # Saving the same values again is not a change and adds nothing to the history.
    company_update(actor=rep, company=company, phone="+37126123456")
    assert changes_of(company, "update").count() == 1


def test_person_history_tracks_emails_and_phones(world):
    rep = world.user("rep")
    person = world.people["own"]
    person_update(actor=rep, person=person, emails=["new@example.com", "own.person@example.com"])
    change = changes_of(person, "update").get()
    assert change.before["emails"] == ["own.person@example.com"]
    assert sorted(change.after["emails"]) == ["new@example.com", "own.person@example.com"]
    person.refresh_from_db()
    assert person.email == "new@example.com"
    assert person.emails.get(is_primary=True).email == "new@example.com"


def test_delete_removes_the_record_and_logs_what_it_was(world):
    rep = world.user("rep")
    company = company_create(actor=rep, name="Short Lived SIA", email="x@example.com")
    pk = company.pk
    company_delete(actor=rep, company=company)
    assert not Company.objects.filter(pk=pk).exists()
    deleted = ChangeRecord.objects.get(action="delete", object_id=pk, object_repr="Short Lived SIA")
    assert deleted.before["email"] == "x@example.com"
    assert deleted.actor == rep


def test_stale_etag_refuses_the_write(world):
    rep = world.user("rep")
    company = world.companies["own"]
    old_etag = etag_for(company)
    company_update(actor=rep, company=company, name="Own Customer (renamed)")
    with pytest.raises(StaleWrite):
        company_update(actor=rep, company=company, name="Lost update", if_match=old_etag)
    with pytest.raises(StaleWrite):
        company_delete(actor=rep, company=company, if_match=old_etag)
    assert Company.objects.get(pk=company.pk).name == "Own Customer (renamed)"


# Scope -------------------------------------------------------------------------------------------
def test_handing_a_team_record_to_another_team_is_refused_and_rolled_back(world):
    rep, outsider = world.user("rep"), world.user("outsider")
    company = world.companies["team"]  # created and curated by the teammate
    before = row_counts()
    with pytest.raises(OutOfScope):
        company_update(actor=rep, company=company, curator=outsider, tags=["moved"])
    company.refresh_from_db()
    assert company.curator == world.user("teammate")
    assert company.team == world.teams["a"]
    assert row_counts() == before
    assert not company.tags.exists()

    person = world.people["team"]
    with pytest.raises(OutOfScope):
        person_update(actor=rep, person=person, curator=outsider, emails=["moved@example.com"])
    person.refresh_from_db()
    assert person.curator == world.user("teammate")
    assert list(person.emails.values_list("email", flat=True)) == ["team.person@example.com"]
    assert row_counts() == before


def test_author_may_hand_their_own_record_to_another_team(world):
    rep, outsider = world.user("rep"), world.user("outsider")
    company = company_update(actor=rep, company=world.companies["own"], curator=outsider)
    assert (company.curator, company.team) == (outsider, world.teams["b"])
    assert Company.objects.restrict(rep).filter(pk=company.pk).exists()  # still their record
    assert Company.objects.restrict(outsider).filter(pk=company.pk).exists()


def test_records_of_another_team_cannot_be_changed_or_deleted(world):
    rep = world.user("rep")
    foreign = world.companies["foreign"]
    before = row_counts()
    with pytest.raises(NotFound):
        company_update(actor=rep, company=foreign, name="Taken over")
    with pytest.raises(NotFound):
        company_delete(actor=rep, company=foreign)
    with pytest.raises(NotFound):
        person_update(actor=rep, person=world.people["foreign"], last_name="Taken")
    assert row_counts() == before
    assert Company.objects.get(pk=foreign.pk).name == "Foreign Customer TOV"


def test_person_cannot_be_linked_to_a_company_the_author_cannot_see(world):
    before = row_counts()
    with pytest.raises(ValidationError) as excinfo:
        person_create(
            actor=world.user("rep"), last_name="Spy", companies=[(world.companies["foreign"], "")]
        )
    assert "companies" in error_fields(excinfo)
    assert row_counts() == before


# Freshness ---------------------------------------------------------------------------------------
def set_verified(obj, days_ago: int | None) -> None:
    when = None if days_ago is None else timezone.now() - datetime.timedelta(days=days_ago)
    type(obj).objects.filter(pk=obj.pk).update(verified_at=when)


def test_records_become_stale_after_the_configured_days(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        site_configuration_update(actor=world.user("admin"), stale_after_days=30)
    assert SiteConfiguration.get().stale_after_days == 30
    own, team, foreign = (world.companies[k] for k in ("own", "team", "foreign"))
    set_verified(own, 10)
    set_verified(team, 45)
    set_verified(foreign, None)
    fresh = {c.name: c.is_stale for c in Company.objects.all()}
    assert fresh == {own.name: False, team.name: True, foreign.name: True}

    rep = world.user("rep")
    stale = CompanyFilterSet({"is_stale": "true"}, queryset=Company.objects.restrict(rep)).qs
    current = CompanyFilterSet({"is_stale": "false"}, queryset=Company.objects.restrict(rep)).qs
    assert list(stale) == [team]
    assert list(current) == [own]


def test_verifying_a_record_makes_it_current_and_is_logged(world):
    rep = world.user("rep")
    person = world.people["own"]
    set_verified(person, 400)
    person.refresh_from_db()
    assert person.is_stale
    assert person in PersonFilterSet({"is_stale": "true"}, queryset=Person.objects.all()).qs
    person = record_verified(actor=rep, obj=person)
    assert not person.is_stale
    assert person in PersonFilterSet({"is_stale": "false"}, queryset=Person.objects.all()).qs
    assert person not in PersonFilterSet({"is_stale": "true"}, queryset=Person.objects.all()).qs
    assert changes_of(person, "update").get().after["verified_at"] is not None
    with pytest.raises(NotFound):
        record_verified(actor=rep, obj=world.people["foreign"])


# Consent, roles at companies, birthdays ----------------------------------------------------------
def test_consent_is_recorded_changed_and_filterable(world):
    rep = world.user("rep")
    person = world.people["own"]
    consent_set(
        actor=rep,
        person=person,
        channel="email",
        is_granted=True,
        method="web_form",
        text=" I agree to receive news. ",
    )
    granted = PersonFilterSet({"consent": "email"}, queryset=Person.objects.all()).qs
    assert list(granted) == [person]

    consent_set(actor=rep, person=person, channel="email", is_granted=False, method="email")
    consent = Consent.objects.get(person=person, channel="email")
    assert (consent.is_granted, consent.method) == (False, "email")
    assert not PersonFilterSet({"consent": "email"}, queryset=Person.objects.all()).qs.exists()
    history = changes_of(consent).order_by("pk")
    assert [c.action for c in history] == ["create", "update"]
    assert history[0].after == {
        "is_granted": True,
        "method": "web_form",
        "text": "I agree to receive news.",
    }
    assert history[1].before["is_granted"] is True and history[1].after["is_granted"] is False
    assert history[1].parent_object_id == person.pk

    with pytest.raises(NotFound):
        consent_set(
            actor=rep,
            person=world.people["foreign"],
            channel="sms",
            is_granted=True,
            method="verbal",
        )
    with pytest.raises(ValidationError):
        consent_set(actor=rep, person=person, channel="pigeon", is_granted=True, method="verbal")
    assert Consent.objects.count() == 1


def test_employment_set_moves_the_main_company(world):
    rep = world.user("rep")
    person = world.people["own"]
    own, team = world.companies["own"], world.companies["team"]
    employment = employment_set(
        actor=rep, person=person, company=team, position=" Adviser ", is_primary=True
    )
    assert employment.position == "Adviser"
    primary = {e.company_id: e.is_primary for e in person.employments.all()}
    assert primary == {own.pk: False, team.pk: True}

    employment_set(actor=rep, person=person, company=team, position="Board member")
    assert person.employments.get(company=team).position == "Board member"
    assert person.employments.count() == 2

    with pytest.raises(NotFound):
        employment_set(actor=rep, person=person, company=world.companies["foreign"])
    assert person.employments.count() == 2


@pytest.mark.parametrize(
    ("birthday", "today", "days"),
    [
        (datetime.date(1980, 5, 20), datetime.date(2025, 5, 20), 0),
        (datetime.date(1980, 5, 20), datetime.date(2025, 5, 10), 10),
        (datetime.date(1980, 5, 20), datetime.date(2025, 5, 21), 364),
        (datetime.date(1980, 1, 2), datetime.date(2025, 12, 31), 2),
        (datetime.date(1992, 2, 29), datetime.date(2025, 2, 20), 9),  # 1 March in a common year
        (datetime.date(1992, 2, 29), datetime.date(2027, 12, 31), 60),  # 29 Feb 2028
    ],
)
def test_days_to_birthday(world, birthday, today, days):
    person = person_create(actor=world.user("rep"), last_name="Liepa", birthday=birthday)
    assert person.days_to_birthday(today=today) == days


def test_birthday_filter_finds_people_with_birthdays_in_the_coming_days(world):
    rep = world.user("rep")
    today = timezone.localdate()
    soon = person_create(
        actor=rep,
        last_name="Soon",
        birthday=(today + datetime.timedelta(days=3)).replace(year=1992),
    )
    person_create(
        actor=rep,
        last_name="Later",
        birthday=(today + datetime.timedelta(days=20)).replace(year=1992),
    )
    person_create(actor=rep, last_name="Unknown")
    found = PersonFilterSet({"birthday_within": "7"}, queryset=Person.objects.restrict(rep)).qs
    assert list(found) == [soon]
    assert world.people["own"].days_to_birthday() is None


def test_bulk_assign_curator_moves_records_to_the_curator_and_logs_each(world):
    from rapport.contacts.services import bulk_assign_curator

    director, rep = world.user("director"), world.user("rep")
    companies = [world.companies["team"], world.companies["foreign"]]
    count = bulk_assign_curator(
        actor=director, model=Company, ids=[c.pk for c in companies], curator=rep
    )
    assert count == 2
    for company in companies:
        company.refresh_from_db()
        assert (company.curator, company.team_id) == (rep, rep.team_id)
        change = ChangeRecord.objects.filter(object_id=company.pk, action="update").latest("pk")
        assert change.after["curator"] == str(rep)


def test_bulk_assign_curator_refuses_records_out_of_reach_and_changes_nothing(world):
    from rapport.contacts.services import bulk_assign_curator

    rep, outsider = world.user("rep"), world.user("outsider")
    team = world.companies["team"]
    foreign = world.companies["foreign"]
    # Out of the rep's scope: silently not found, so nothing is counted or changed.
    assert bulk_assign_curator(actor=rep, model=Company, ids=[foreign.pk], curator=rep) == 0
    foreign.refresh_from_db()
    assert foreign.curator == outsider
    # Handing a teammate's record to another team's curator would move it out of the rep's scope.
    with pytest.raises(OutOfScope):
        bulk_assign_curator(actor=rep, model=Company, ids=[team.pk], curator=outsider)
    team.refresh_from_db()
    assert (team.curator, team.team_id) == (world.user("teammate"), rep.team_id)
    assert not ChangeRecord.objects.filter(object_id=team.pk, action="update").exists()
