"""List pages and API lists run a fixed number of queries, whatever the number of rows shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rapport.accounts.services import token_create
from rapport.activities.services.activities import activity_log
from rapport.contacts.services import company_create, person_create
from rapport.core.configuration import custom_field_save
from rapport.core.models import CustomFieldDefinition

PAGES = [
    "/companies/",
    "/people/",
    "/companies/?sort=-last_contacted_at",
    "/people/?q=person",
    "/",
    "/search/?q=person",
]
API_LISTS = ["/api/v1/companies/", "/api/v1/people/", "/api/v1/activities/"]


def _add_records(actor, count: int, start: int) -> None:
    for i in range(start, start + count):
        company = company_create(
            actor=actor,
            name=f"Counted Company {i}",
            tags=[f"tag{i % 3}"],
            addresses=[{"city": "Riga", "street": f"Brivibas {i}"}],
            custom={"segment": "A"},
        )
        person = person_create(
            actor=actor,
            first_name="Person",
            last_name=f"Number{i}",
            emails=[f"person{i}@example.com"],
            phones=[f"+371 26 200 {i:03d}"],
            companies=[(company, "Buyer")],
            tags=["vip"],
            custom={"segment": "B"},
        )
        activity_log(actor=actor, person=person, kind="call", subject=f"Call {i}")


def _count(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("as_role", ["rep", "director"])
def test_list_pages_do_not_query_per_row(world, as_role):
    for target in ("contacts.company", "contacts.person"):
        custom_field_save(
            actor=world.user("admin"),
            definition=CustomFieldDefinition(target=target, key="segment", label="Segment"),
        )
    user = world.user(as_role)
    client = Client()
    client.force_login(user)
    _add_records(world.user("rep"), 3, 0)
    for url in PAGES:  # warm the per-process caches (content types, site settings)
        client.get(url)
    few = {url: _count(client, url) for url in PAGES}
    _add_records(world.user("rep"), 25, 100)
    many = {url: _count(client, url) for url in PAGES}
    assert many == few, {u: (few[u], many[u]) for u in few if few[u] != many[u]}


def test_api_lists_do_not_query_per_row(world):
    for target in ("contacts.company", "contacts.person"):
        custom_field_save(
            actor=world.user("admin"),
            definition=CustomFieldDefinition(target=target, key="segment", label="Segment"),
        )
    token = token_create(actor=world.user("rep"), name="counts")[1]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    _add_records(world.user("rep"), 3, 0)
    for url in API_LISTS:
        client.get(url, **auth)
    few = {url: _count(client, url, **auth) for url in API_LISTS}
    _add_records(world.user("rep"), 25, 100)
    many = {url: _count(client, url, **auth) for url in API_LISTS}
    assert many == few
