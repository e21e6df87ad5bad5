"""The API list's page read as values is exactly what the serializers produce record by record."""

from __future__ import annotations

import datetime
import json

from rest_framework.renderers import JSONRenderer

from rapport.contacts.api.serializers import CompanySerializer, PersonSerializer
from rapport.contacts.models import Company, Person
from rapport.contacts.services import (
    company_create,
    consent_set,
    employment_set,
    person_create,
    person_update,
)
from rapport.contacts.tests.test_services import define_field


def as_json(data) -> list:
    return json.loads(JSONRenderer().render(data))


def test_people_page_equals_serializer_output(world):
    rep = world.user("rep")
    define_field(world, "contacts.person", "shoe_size", "number")
    second = company_create(actor=rep, name="Second Employer SIA")
    person = person_create(
        actor=rep,
        first_name="Jānis",
        middle_name="K.",
        last_name="Bērziņš",
        emails=["j@example.lv", "janis@work.lv"],
        phones=["+371 26 555 001", "+371 67 000 002"],
        birthday=datetime.date(1980, 2, 29),
        companies=[(world.companies["own"], "Director")],
        tags=["vip", "golf"],
        custom={"shoe_size": 44},
    )
    employment_set(actor=rep, person=person, company=second, position="Board", is_primary=True)
    consent_set(actor=rep, person=person, channel="email", is_granted=True, method="web_form")
    consent_set(actor=rep, person=person, channel="sms", is_granted=False, method="verbal")
    person_update(actor=rep, person=world.people["own"], position="Buyer & <owner>")
    queryset = Person.objects.restrict(rep).order_by("last_name", "id")
    by_values = as_json(PersonSerializer(queryset, many=True).data)
    by_records = as_json(PersonSerializer(list(queryset), many=True).data)
    assert len(by_values) == 3
    assert by_values == by_records
    janis = next(p for p in by_values if p["last_name"] == "Bērziņš")
    assert janis["emails"] == ["j@example.lv", "janis@work.lv"]
    assert [e["company_name"] for e in janis["employments"]][0] == "Second Employer SIA"
    assert [c["channel"] for c in janis["consents"]] == ["email", "sms"]
    assert janis["custom_fields"] == {"shoe_size": 44} and janis["birthday"] == "1980-02-29"


def test_companies_page_equals_serializer_output(world):
    rep = world.user("rep")
    company_create(
        actor=rep,
        name="Addresses Ltd",
        kind="supplier",
        industry="retail",
        website="https://example.com",
        tags=["b", "a"],
        addresses=[
            {"kind": "office", "city": "Rīga", "street": "Brīvības 1"},
            {"kind": "delivery", "city": "Jelgava", "street": "Rūpnīcu 5"},
        ],
    )
    queryset = Company.objects.restrict(rep).order_by("name", "id")
    by_values = as_json(CompanySerializer(queryset, many=True).data)
    assert by_values == as_json(CompanySerializer(list(queryset), many=True).data)
    company = next(c for c in by_values if c["name"] == "Addresses Ltd")
    assert [a["city"] for a in company["addresses"]] == ["Rīga", "Jelgava"]
    assert company["tags"] == ["a", "b"]


def test_api_list_answers_what_the_record_endpoint_answers(world, client):
    rep = world.user("rep")
    from rapport.accounts.services import token_create

    _token, secret = token_create(actor=rep, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/people/?limit=50", headers=headers).json()["results"]
    for record in listed:
        single = client.get(f"/api/v1/people/{record['id']}/", headers=headers).json()
        assert single == record
