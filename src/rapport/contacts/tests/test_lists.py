"""What the company and person lists show in each row, and the company card's staff list."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.contacts.models import Person
from rapport.contacts.services import (
    company_create,
    company_update,
    person_create,
    person_update,
    record_verified,
)
from rapport.contacts.tests.test_services import define_field


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_of(html: str, text: str) -> str:
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if text in r]
    assert len(rows) == 1, f"{text!r} in {len(rows)} rows"
    return rows[0]


def test_person_row_shows_company_contact_data_curator_tags_and_custom_value(world):
    rep = world.user("rep")
    define_field(world, "contacts.person", "shoe_size", "number")
    person = person_update(
        actor=rep,
        person=world.people["own"],
        tags=["vip", "<b>bold</b>"],
        custom={"shoe_size": 42},
        position="Buyer & owner",
    )
    html = client_for(rep).get(reverse("contacts:person_list")).content.decode()
    row = row_of(html, "Ownlast Ownfirst")
    assert f'href="{person.get_absolute_url()}"' in row
    assert "Own Customer SIA" in row  # the primary company
    assert "Buyer &amp; owner" in row
    assert "own.person@example.com" in row
    assert "+371 26 100 000" in row  # E.164 shown in international format
    assert str(rep) in row
    assert "vip" in row and "&lt;b&gt;bold&lt;/b&gt;" in row and "<b>bold" not in row
    assert ">42</td>" in row
    assert "Shoe size" in html  # the custom column's header
    # Verified at creation; two years later it needs verification, until verified again.
    assert "stale-mark" not in row
    Person.objects.filter(pk=person.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=730)
    )
    html = client_for(rep).get(reverse("contacts:person_list")).content.decode()
    assert "stale-mark" in row_of(html, "Ownlast Ownfirst")
    record_verified(actor=rep, obj=person)
    html = client_for(rep).get(reverse("contacts:person_list")).content.decode()
    assert "stale-mark" not in row_of(html, "Ownlast Ownfirst")


def test_company_row_shows_type_industry_city_phone_and_escapes_names(world):
    rep = world.user("rep")
    company = company_create(
        actor=rep,
        name='<script>alert("x")</script> Ltd',
        kind="partner",
        industry="logistics",
        phone="+380 44 123 4567",
        addresses=[{"kind": "office", "city": "Kyiv", "street": "Khreshchatyk 1"}],
    )
    company_update(actor=rep, company=company, tags=["north"])
    html = client_for(rep).get(reverse("contacts:company_list")).content.decode()
    row = row_of(html, "Ltd</a>")
    assert "&lt;script&gt;" in row and "<script>" not in row
    assert (
        "partner" in row and "transport and logistics" in row and "Kyiv" in row and "north" in row
    )
    assert "+380 44 123 4567" in row
    # The same row as the rows-only fetch that paging and sorting do.
    rows = client_for(rep).get(
        reverse("contacts:company_list") + "?sort=-name",
        headers={"HX-Request": "true", "HX-Target": "record-list"},
    )
    assert "<html" not in rows.content.decode()
    assert row_of(rows.content.decode(), "Ltd</a>") == row


def test_auditor_sees_rows_without_selection_boxes(world):
    html = client_for(world.user("auditor")).get(reverse("contacts:company_list")).content.decode()
    assert "Foreign Customer TOV" in html
    assert "row-select" not in html and 'id="bulk-form"' not in html


def test_company_card_lists_the_first_people_and_links_to_all(world):
    rep = world.user("rep")
    company = world.companies["own"]
    for n in range(26):
        person_create(actor=rep, last_name=f"Staff{n:02d}", companies=[(company, "")])
    client = client_for(rep)
    html = client.get(company.get_absolute_url()).content.decode()
    people = re.search(r'id="company-people">(.*?)</ul>', html, re.S).group(1)
    assert "Staff00" in people and "Staff23" in people and "Staff25" not in people
    link = reverse("contacts:person_list") + f"?company={company.pk}"
    assert f'href="{link}"' in people
    listed = client.get(link).content.decode()
    assert "Staff25" in listed and "Teamlast" not in listed


@pytest.mark.parametrize("max_listed", [5000, 1])  # ids as a list, or (many) as a subquery
def test_company_card_lists_only_the_people_the_user_may_see(world, monkeypatch, max_listed):
    monkeypatch.setattr("rapport.contacts.views.companies.MAX_LISTED_IDS", max_listed)
    rep, director = world.user("rep"), world.user("director")
    company = world.companies["own"]
    person_create(actor=rep, last_name="Visiblestaff", companies=[(company, "")])
    person_create(actor=rep, last_name="Secondvisible", companies=[(company, "")])
    person_create(  # another team's contact at the same company
        actor=director,
        last_name="Hiddenstaff",
        companies=[(company, "")],
        team=world.teams["b"],
        curator=world.user("outsider"),
    )
    html = client_for(rep).get(company.get_absolute_url()).content.decode()
    people = re.search(r'id="company-people">(.*?)</ul>', html, re.S).group(1)
    assert "Visiblestaff" in people and "Secondvisible" in people
    # Not in the list, nor as "created" in the company's timeline or history.
    assert "Hiddenstaff" not in html
    history = client_for(rep).get(reverse("contacts:company_history", args=[company.pk]))
    assert history.status_code == 200 and "Hiddenstaff" not in history.content.decode()
    # Whoever may see that person sees them, and their creation, on the company's card.
    director_html = client_for(director).get(company.get_absolute_url()).content.decode()
    timeline = director_html.split('id="timeline"')[1]
    assert "Hiddenstaff" in director_html.split('id="company-people"')[1].split("</ul>")[0]
    assert "Hiddenstaff" in timeline


def test_curator_selects_load_users_on_demand(world):
    rep = world.user("rep")
    client = client_for(rep)
    html = client.get(reverse("contacts:person_list")).content.decode()
    autocomplete = reverse("accounts:user_autocomplete")
    # The filter and the bulk action carry no option per user, only a place to load them from.
    assert html.count(f'data-autocomplete="{autocomplete}"') == 2
    assert "Director Tester" not in html
    chosen = client.get(reverse("contacts:person_list") + f"?curator={world.user('head').pk}")
    assert "Head Tester</option>" in chosen.content.decode()
    found = client.get(autocomplete, {"q": "dir test"}).json()["results"]
    assert found == [{"value": world.user("director").pk, "text": "Director Tester"}]
    everyone = client.get(autocomplete).json()["results"]
    assert "Rep Tester" in {item["text"] for item in everyone}
