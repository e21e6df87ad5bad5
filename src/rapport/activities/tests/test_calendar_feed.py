"""The personal iCalendar feed: a secret address made on the feed page (shown once, only its
hash kept), read without signing in by any calendar (here: the ``icalendar`` library), revoked
or replaced; unknown and revoked addresses answer 404."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rapport.activities.models import CalendarFeed
from rapport.activities.services.calendar import (
    calendar_feed_find,
    calendar_feed_issue,
    calendar_feed_revoke,
    hash_token,
)
from rapport.activities.services.meetings import meeting_cancel, meeting_create
from rapport.activities.services.tasks import task_create

pytestmark = pytest.mark.django_db


def at(hours: float) -> datetime.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours)


def feed_of(client: Client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_summary(calendar: Calendar) -> dict:
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_page_makes_an_address_shown_once(world):
    client = Client()
    client.force_login(world.user("rep"))
    page = client.get("/calendar/feed/")
    assert page.status_code == 200 and b"Make my calendar address" in page.content
    response = client.post("/calendar/feed/new/")
    assert response.status_code == 200
    url = re.search(r'id="feed-url" value="([^"]+)"', response.content.decode()).group(1)
    assert url.startswith("http://testserver/calendar/feed/") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=world.user("rep"))
    assert feed.token_hash == hash_token(token) and token not in feed.token_hash
    # Not shown again.
    assert token.encode() not in client.get("/calendar/feed/").content


def test_the_feed_holds_my_meetings_and_tasks_read_by_icalendar(world):
    rep, teammate = world.user("rep"), world.user("teammate")
    mine = meeting_create(
        actor=rep,
        title="Site visit",
        starts_at=at(26),
        ends_at=at(28),
        place="Warehouse 3",
        company=world.companies["own"],
        people=[world.people["own"]],
    )
    taking_part = meeting_create(
        actor=teammate, title="Team sync", starts_at=at(5), ends_at=at(6), users=[rep]
    )
    meeting_create(actor=teammate, title="Not mine", starts_at=at(7), ends_at=at(8))
    called_off = meeting_create(actor=rep, title="Called off", starts_at=at(9), ends_at=at(10))
    meeting_cancel(actor=rep, meeting=called_off)
    task = task_create(actor=rep, title="Send the offer", assignee=rep, due_at=at(30))
    task_create(actor=rep, title="Undated", assignee=rep)
    task_create(actor=teammate, title="Someone else's", assignee=teammate, due_at=at(30))

    _feed, token = calendar_feed_issue(actor=rep)
    client = Client()  # not signed in
    calendar = feed_of(client, f"/calendar/feed/{token}.ics")
    found = events_by_summary(calendar)
    assert set(found) == {"Site visit", "Team sync", "Called off", "Send the offer"}
    visit = found["Site visit"]
    assert str(visit["UID"]) == f"{mine.uid}@rapport"
    assert visit.decoded("DTSTART") == at(26) and visit.decoded("DTEND") == at(28)
    assert str(visit["LOCATION"]) == "Warehouse 3"
    assert str(visit["URL"]).endswith(f"/meetings/{mine.pk}/")
    assert str(found["Called off"]["STATUS"]) == "CANCELLED"
    assert str(found["Team sync"]["UID"]) == f"{taking_part.uid}@rapport"
    todo = found["Send the offer"]
    assert todo.decoded("DTSTART") == at(30) and str(todo["TRANSP"]) == "TRANSPARENT"

    # UIDs are stable between reads; "last read" is recorded.
    again = events_by_summary(feed_of(client, f"/calendar/feed/{token}.ics"))
    assert {k: str(v["UID"]) for k, v in again.items()} == {
        k: str(v["UID"]) for k, v in found.items()
    }
    assert str(again["Send the offer"]["UID"]) != str(found["Site visit"]["UID"])
    assert CalendarFeed.objects.get(user=rep).last_used_at is not None
    assert task.pk


def test_unknown_revoked_and_replaced_addresses_answer_404(world):
    rep = world.user("rep")
    client = Client()
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
    _feed, first = calendar_feed_issue(actor=rep)
    assert client.get(f"/calendar/feed/{first}.ics").status_code == 200
    _feed, second = calendar_feed_issue(actor=rep)  # a new address stops the old one
    assert client.get(f"/calendar/feed/{first}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{second}.ics").status_code == 200
    assert CalendarFeed.objects.filter(user=rep).count() == 1
    assert calendar_feed_revoke(actor=rep) is True
    assert client.get(f"/calendar/feed/{second}.ics").status_code == 404
    assert calendar_feed_revoke(actor=rep) is False


def test_an_inactive_users_feed_stops(world):
    from rapport.accounts.models import User

    _feed, token = calendar_feed_issue(actor=world.user("rep"))
    User.objects.filter(pk=world.user("rep").pk).update(is_active=False)
    assert calendar_feed_find(token) is None
    assert Client().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_revoke_from_the_page(world):
    client = Client()
    client.force_login(world.user("rep"))
    _feed, token = calendar_feed_issue(actor=world.user("rep"))
    response = client.post("/calendar/feed/revoke/")
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
