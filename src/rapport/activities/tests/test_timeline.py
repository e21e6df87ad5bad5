"""The customer card's timeline: logged calls, last contact, paging and a flat query count."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from rapport.activities.models import Activity
from rapport.activities.selectors.timeline import PAGE, timeline
from rapport.activities.services.activities import activity_log
from rapport.contacts.models import Company, Person

ENTRY = re.compile(r"Entry \d{3}")
MORE = re.compile(r'<li id="timeline-more".*?hx-get="([^"]+)"', re.S)


def log_entries(world, count: int, *, per_minute: int = 1, start: int = 0) -> list[Activity]:
    """``count`` calls with the rep's contact, a day ago and older; ``per_minute`` share a time."""
    base = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
    return [
        activity_log(
            actor=world.user("rep"),
            person=world.people["own"],
            kind="call",
            subject=f"Entry {i:03d}",
            occurred_at=base - datetime.timedelta(minutes=i // per_minute),
        )
        for i in range(start, start + count)
    ]


def card_url(world, noun: str) -> str:
    obj = world.people["own"] if noun == "person" else world.companies["own"]
    return obj.get_absolute_url()


def walk_timeline(client, url: str) -> list[list[str]]:
    """The entries of each page, following "Show older" until there is no more."""
    pages = []
    html = client.get(url).content.decode()
    while True:
        pages.append(ENTRY.findall(html))
        more = MORE.search(html)
        if more is None:
            return pages
        response = client.get(more.group(1))
        assert response.status_code == 200
        html = response.content.decode()


def shown_date(when) -> str:
    return formats.date_format(timezone.localtime(when), "SHORT_DATE_FORMAT")


@pytest.fixture
def rep_client(client, world):
    client.force_login(world.user("rep"))
    return client


def test_logged_call_appears_on_the_persons_and_the_companys_card(rep_client, world, client):
    person, company = world.people["own"], world.companies["own"]
    response = rep_client.get(f"/activities/new/?person={person.pk}")
    assert response.status_code == 200
    response = rep_client.post(
        f"/activities/new/?person={person.pk}",
        {
            "kind": "call",
            "direction": "out",
            "subject": "Discussed the spring order",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "12",
            "body": "Wants 40 pallets in April.",
        },
    )
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    activity = Activity.objects.get(subject="Discussed the spring order")
    assert (activity.person, activity.company, activity.owner) == (
        person,
        company,
        world.user("rep"),
    )

    for url in (person.get_absolute_url(), company.get_absolute_url()):
        html = rep_client.get(url).content.decode()
        assert "Discussed the spring order" in html and "Wants 40 pallets in April." in html
    company_html = rep_client.get(company.get_absolute_url()).content.decode()
    assert f'href="{person.get_absolute_url()}">Ownfirst Ownlast</a>' in company_html

    for obj in (person, company):
        entries, _cursor = timeline(obj, user=world.user("rep"))
        assert activity in [e.item for e in entries if e.kind == "activity"]

    client.force_login(world.user("outsider"))
    assert client.get(person.get_absolute_url()).status_code == 404
    teammate_view, _cursor = timeline(company, user=world.user("teammate"))
    assert activity in [e.item for e in teammate_view]


def test_invalid_call_is_not_logged(rep_client, world):
    person = world.people["own"]
    before = Activity.objects.count()
    response = rep_client.post(
        f"/activities/new/?person={person.pk}",
        {"kind": "call", "subject": "", "occurred_at": "yesterday"},
    )
    assert response.status_code == 422
    assert Activity.objects.count() == before
    foreign = world.people["foreign"]
    response = rep_client.post(
        f"/activities/new/?person={foreign.pk}",
        {"kind": "call", "subject": "Sneaky", "occurred_at": "2025-01-01T10:00"},
    )
    assert response.status_code == 404
    assert Activity.objects.count() == before


def test_last_contact_moves_forward_and_never_back(rep_client, world):
    person, company = world.people["own"], world.companies["own"]
    first = Person.objects.get(pk=person.pk).last_contacted_at  # the world's first call
    assert Company.objects.get(pk=company.pk).last_contacted_at == first
    later = timezone.now() + datetime.timedelta(minutes=1)
    moments = [first - datetime.timedelta(days=10), later, later - datetime.timedelta(days=3)]
    expected = [first, later, later]
    for when, latest in zip(moments, expected, strict=True):
        activity_log(
            actor=world.user("rep"), person=person, kind="call", subject="Call", occurred_at=when
        )
        for model, obj in ((Person, person), (Company, company)):
            assert model.objects.get(pk=obj.pk).last_contacted_at == latest
    moved = Person.objects.get(pk=person.pk).last_contacted_at
    html = rep_client.get(person.get_absolute_url()).content.decode()
    assert re.search(r"Last contact</dt><dd[^>]*>" + re.escape(shown_date(moved)), html)
    # Another team's contact is untouched.
    assert Person.objects.get(pk=world.people["foreign"].pk).last_contacted_at < later


@pytest.mark.parametrize("noun", ["person", "company"])
def test_card_query_count_does_not_grow_with_the_timeline(rep_client, world, noun):
    url = card_url(world, noun)
    log_entries(world, 5)
    rep_client.get(url)  # settings read once per process are not the timeline's cost
    with CaptureQueriesContext(connection) as few:
        assert rep_client.get(url).status_code == 200
    log_entries(world, 55, start=5)
    with CaptureQueriesContext(connection) as many:
        html = rep_client.get(url).content.decode()
    assert len(ENTRY.findall(html)) > 5  # the page really shows more entries now
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("noun", ["person", "company"])
def test_show_older_pages_through_every_entry_once(rep_client, world, noun):
    log_entries(world, 45)
    pages = walk_timeline(rep_client, card_url(world, noun))
    assert len(pages) == 2
    assert len(pages[0]) <= PAGE and pages[0][0] == "Entry 000"
    shown = [entry for page in pages for entry in page]
    assert shown == [f"Entry {i:03d}" for i in range(45)]


def test_entries_logged_at_the_same_time_are_not_lost_between_pages(rep_client, world):
    # Calls are logged to the minute, and imports bring many at one time: the page boundary
    # will fall between entries with the same time.
    log_entries(world, 40, per_minute=5)
    pages = walk_timeline(rep_client, card_url(world, "person"))
    shown = [entry for page in pages for entry in page]
    assert sorted(shown) == [f"Entry {i:03d}" for i in range(40)]
    assert len(pages) >= 2


def test_timeline_page_of_the_api_follows_the_same_cursor(world):
    from rest_framework.test import APIClient

    log_entries(world, 40, per_minute=5)
    client = APIClient()
    client.force_login(world.user("rep"))
    url = f"/api/v1/people/{world.people['own'].pk}/timeline/"
    subjects, params = [], {}
    while True:
        page = client.get(url, params).json()
        subjects += [e["activity"]["subject"] for e in page["results"] if e["kind"] == "activity"]
        if not page["next_before"]:
            break
        params = {"before": page["next_before"]}
    assert sorted(s for s in subjects if s.startswith("Entry")) == [
        f"Entry {i:03d}" for i in range(40)
    ]


def test_show_older_without_a_cursor_or_for_a_hidden_card_is_not_found(rep_client, world):
    person = world.people["own"]
    assert rep_client.get(f"/people/{person.pk}/timeline/").status_code == 404
    before = timezone.now().isoformat()
    foreign = world.people["foreign"]
    response = rep_client.get(f"/people/{foreign.pk}/timeline/", {"before": before})
    assert response.status_code == 404


def test_entries_show_who_what_how_long_and_the_other_party_escaped_and_translated(
    rep_client, world
):
    rep = world.user("rep")
    person, company = world.people["own"], world.companies["own"]
    activity_log(
        actor=rep,
        person=person,
        company=company,
        kind="call",
        direction="out",
        subject="<script>alert(1)</script> pricing",
        body="x" * 450,
        duration_minutes=21,
    )
    rep.language = "ru"
    rep.save(update_fields=["language"])
    person_html = rep_client.get(person.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; pricing" in person_html
    assert "<script>alert(1)" not in person_html
    assert "21 минута" in person_html  # the plural form Russian needs for 21
    assert "x" * 399 + "…" in person_html and "x" * 401 not in person_html
    # The other party is linked on each card, never the card's own record.
    assert f'<a href="{company.get_absolute_url()}">{company.name}</a>' in person_html
    company_html = rep_client.get(company.get_absolute_url()).content.decode()
    assert f'<a href="{person.get_absolute_url()}">{person.full_name}</a>' in company_html
    assert f'<a href="{company.get_absolute_url()}">' not in company_html.split('id="timeline"')[1]
