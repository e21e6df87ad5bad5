"""Meetings and the calendar in the API: CRUD through the services with participants as a field,
filters by time window, organizer and record, the invite/cancel/held/reschedule actions, and
``/calendar/events/``; bad input answers a translated error and writes nothing."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from rapport.accounts.services import token_create
from rapport.activities.models import Activity, Meeting, MeetingParticipant
from rapport.activities.services.meetings import meeting_create

pytestmark = pytest.mark.django_db


def at(hours: float) -> datetime.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours)


class Api:
    def __init__(self, user):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}

    def get(self, url, **headers):
        return self.client.get(url, **self.auth, **headers)

    def send(self, method, url, data=None, **headers):
        return self.client.generic(
            method,
            url,
            data=json.dumps(data or {}),
            content_type="application/json",
            **self.auth,
            **headers,
        )


def test_create_read_change_and_delete_a_meeting(world):
    api = Api(world.user("rep"))
    person = world.people["own"]
    response = api.send(
        "POST",
        "/api/v1/meetings/",
        {
            "title": "Kick-off",
            "kind": "call",
            "starts_at": at(24).isoformat(),
            "ends_at": at(25).isoformat(),
            "link": "https://meet.example.com/abc",
            "record": f"contacts.person:{person.pk}",
            "participants": [{"person": person.pk}, {"user": world.user("teammate").pk}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get(pk=body["id"])
    assert body["record"] == f"contacts.person:{person.pk}" and body["person"] == person.pk
    assert body["organizer"] == world.user("rep").pk and body["sequence"] == 0
    names = sorted(p["name"] for p in body["participants"])
    assert names == ["Ownfirst Ownlast", "Teammate Tester"]
    etag = response["ETag"]

    response = api.send(
        "PATCH", f"/api/v1/meetings/{meeting.pk}/", {"place": "HQ"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200 and response.json()["sequence"] == 1
    # The old ETag is stale now.
    response = api.send(
        "PATCH", f"/api/v1/meetings/{meeting.pk}/", {"place": "X"}, HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    response = api.send(
        "PATCH", f"/api/v1/meetings/{meeting.pk}/", {"participants": [{"person": person.pk}]}
    )
    assert [p["person"] for p in response.json()["participants"]] == [person.pk]
    assert api.send("DELETE", f"/api/v1/meetings/{meeting.pk}/").status_code == 204
    assert not Meeting.objects.exists()


def test_bad_input_is_a_translated_error_and_writes_nothing(world):
    api = Api(world.user("rep"))
    base = {"title": "X", "starts_at": at(5).isoformat(), "ends_at": at(4).isoformat()}
    response = api.send("POST", "/api/v1/meetings/", base, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"] == {"ends_at": ["The meeting must end after it starts."]}
    ok = {**base, "ends_at": at(6).isoformat()}
    foreign = world.people["foreign"].pk
    response = api.send("POST", "/api/v1/meetings/", {**ok, "participants": [{"person": foreign}]})
    assert response.status_code == 404
    response = api.send("POST", "/api/v1/meetings/", {**ok, "record": f"contacts.person:{foreign}"})
    assert response.status_code == 404
    response = api.send("POST", "/api/v1/meetings/", {**ok, "participants": [{}]})
    assert response.status_code == 400
    assert "either a user or a person" in str(response.json()["fields"])
    assert not Meeting.objects.exists() and not MeetingParticipant.objects.exists()


def test_filters_by_window_organizer_and_record(world):
    rep, teammate = world.user("rep"), world.user("teammate")
    person = world.people["own"]
    from rapport.core.records import find_record

    record = find_record(rep, "contacts.person", person.pk)
    a = meeting_create(actor=rep, title="A", starts_at=at(2), ends_at=at(3), record=record)
    b = meeting_create(actor=teammate, title="B", starts_at=at(50), ends_at=at(51), users=[rep])
    api = Api(rep)

    def ids(query):
        response = api.get(f"/api/v1/meetings/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [a.pk, b.pk]
    after = at(24).isoformat().replace("+", "%2B")
    assert ids(f"starts_after={after}") == [b.pk]
    assert ids(f"starts_before={after}") == [a.pk]
    assert ids(f"organizer={teammate.pk}") == [b.pk]
    assert ids(f"participant={rep.pk}") == [b.pk]
    assert ids(f"record=contacts.person:{person.pk}") == [a.pk]
    assert ids("record=nonsense:1") == []


def test_the_list_does_not_query_per_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rep = world.user("rep")
    api = Api(rep)

    def add(n, start):
        for i in range(start, start + n):
            meeting_create(
                actor=rep,
                title=f"M{i}",
                starts_at=at(2 + i),
                ends_at=at(3 + i),
                users=[world.user("teammate")],
                people=[world.people["own"]],
            )

    def queries(expected):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/meetings/?limit=50").json()["count"] == expected
        return len(ctx.captured_queries)

    add(2, 0)
    queries(2)  # warm up (the session, content types)
    few = queries(2)
    add(10, 2)
    assert queries(12) == few


def test_actions_invite_cancel_held_reschedule(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    rep = world.user("rep")
    api = Api(rep)
    person = world.people["own"]
    meeting = meeting_create(
        actor=rep, title="Visit", starts_at=at(3), ends_at=at(4), people=[person]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.send("POST", f"/api/v1/meetings/{meeting.pk}/invite/", {})
    assert response.status_code == 200
    assert response.json()["participants"][0]["invited_at"]
    assert [m.to for m in mailoutbox] == [["own.person@example.com"]]

    response = api.send(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/reschedule/",
        {"starts_at": at(6).isoformat()},
    )
    assert response.status_code == 200 and response.json()["sequence"] == 1
    assert Meeting.objects.get(pk=meeting.pk).ends_at == at(7)
    response = api.send(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/reschedule/",
        {"starts_at": at(6).isoformat(), "ends_at": at(5).isoformat()},
    )
    assert response.status_code == 400
    response = api.send("POST", f"/api/v1/meetings/{meeting.pk}/held/", {"notes": "ok"})
    assert response.status_code == 400 and "has not started yet" in response.json()["detail"]
    response = api.send("POST", f"/api/v1/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    past = meeting_create(
        actor=rep, title="Done", starts_at=at(-3), ends_at=at(-2), people=[person]
    )
    response = api.send("POST", f"/api/v1/meetings/{past.pk}/held/", {"notes": "Agreed"})
    assert response.status_code == 200 and response.json()["status"] == "held"
    assert Activity.objects.get(kind="meeting", subject="Done").body == "Agreed"


def test_calendar_events_endpoint(world):
    rep = world.user("rep")
    meeting_create(actor=rep, title="Mine", starts_at=at(3), ends_at=at(4))
    api = Api(rep)
    start = at(-1).isoformat().replace("+", "%2B")
    end = at(48).isoformat().replace("+", "%2B")
    response = api.get(f"/api/v1/calendar/events/?start={start}&end={end}")
    assert response.status_code == 200
    assert [e["title"] for e in response.json()] == ["Mine"]
    response = api.get("/api/v1/calendar/events/?start=nope&end=nope", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    outsider = world.user("outsider").pk
    response = api.get(f"/api/v1/calendar/events/?start={start}&end={end}&user={outsider}")
    assert response.status_code == 404
