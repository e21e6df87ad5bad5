"""Participants' answers to a meeting (accepted, maybe, declined): the organizer's side records
them on the meeting's page and in the API, each change is logged, and the page shows them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rapport.activities.models import MeetingParticipant
from rapport.activities.services.meetings import (
    meeting_cancel,
    meeting_record_answer,
)
from rapport.activities.tests.test_meetings_api import Api
from rapport.activities.tests.test_meetings_services import counts, plan
from rapport.core import events
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def rows(meeting) -> dict[str, MeetingParticipant]:
    return {str(row): row for row in meeting.participants.select_related("user", "person")}


def answers(meeting) -> dict[str, str]:
    return {name: row.response for name, row in rows(meeting).items()}


def answer_changes(meeting):
    return ChangeRecord.objects.filter(
        content_type__model="meeting", object_id=meeting.pk, action="update"
    ).order_by("pk")


def test_the_organizer_records_an_answer_and_it_is_logged(
    world, django_capture_on_commit_callbacks
):
    meeting = plan(world)
    customer = rows(meeting)["Ownfirst Ownlast"]
    seen = []
    events.subscribe("meeting.answered", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            meeting_record_answer(
                actor=world.user("rep"), meeting=meeting, participant=customer, response="accepted"
            )
    finally:
        events.unsubscribe("meeting.answered", seen.append)
    assert answers(meeting) == {"Ownfirst Ownlast": "accepted", "Teammate Tester": "needs_action"}
    (change,) = answer_changes(meeting)
    assert (change.actor, change.before, change.after) == (
        world.user("rep"),
        {"Ownfirst Ownlast": "needs_action"},
        {"Ownfirst Ownlast": "accepted"},
    )
    # Logged under the customer the meeting is about, so their history shows it.
    assert (change.parent_content_type.model, change.parent_object_id) == (
        "company",
        world.companies["own"].pk,
    )
    assert [e.payload for e in seen] == [
        {"id": meeting.pk, "participant": customer.pk, "response": "accepted"}
    ]
    # The same answer again changes and logs nothing; the invited get no new e-mail either.
    sequence = meeting.sequence
    meeting_record_answer(
        actor=world.user("rep"), meeting=meeting, participant=customer.pk, response="accepted"
    )
    assert answer_changes(meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.sequence == sequence
    # The organizer's team (the teammate) and head may record one too.
    colleague = rows(meeting)["Teammate Tester"]
    meeting_record_answer(
        actor=world.user("head"), meeting=meeting, participant=colleague, response="declined"
    )
    assert answers(meeting)["Teammate Tester"] == "declined"


@pytest.mark.parametrize(
    "case", ["outsider", "auditor", "other meeting", "bad answer", "missing", "cancelled"]
)
def test_a_refused_answer_writes_nothing(world, case):
    meeting = plan(world)
    other = plan(world, title="Another meeting")
    actor = world.user("rep")
    participant = rows(meeting)["Ownfirst Ownlast"].pk
    response = "accepted"
    if case in ("outsider", "auditor"):
        actor = world.user(case)
    elif case == "other meeting":
        participant = rows(other)["Ownfirst Ownlast"].pk
    elif case == "bad answer":
        response = "maybe later"
    elif case == "missing":
        participant = "x1"
    else:
        meeting_cancel(actor=actor, meeting=meeting)
    before = (counts(), answers(meeting), answers(other))
    expected = {
        "bad answer": ValidationError,
        "cancelled": DomainError,
    }.get(case, NotFound)
    with pytest.raises(expected) as caught:
        meeting_record_answer(
            actor=actor, meeting=meeting, participant=participant, response=response
        )
    if case == "bad answer":
        assert "Choose the answer" in caught.value.message_dict["response"][0]
    if case == "cancelled":
        assert caught.value.code == "not_planned"
    assert (counts(), answers(meeting), answers(other)) == before


def test_the_meeting_page_shows_the_answers_and_lets_the_organizer_record_one(world):
    meeting = plan(world)
    customer = rows(meeting)["Ownfirst Ownlast"]
    meeting_record_answer(
        actor=world.user("rep"),
        meeting=meeting,
        participant=rows(meeting)["Teammate Tester"],
        response="tentative",
    )
    organizer = Client()
    organizer.force_login(world.user("rep"))
    url = reverse("activities:meeting_answer", args=[meeting.pk])
    response = organizer.post(
        url, {"participant": customer.pk, "response": "declined"}, follow=True
    )
    body = response.content.decode()
    assert "Answer of Ownfirst Ownlast: declined" in body
    assert answers(meeting)["Ownfirst Ownlast"] == "declined"
    assert f'id="answer-{customer.pk}"' in body  # the organizer's form on each participant
    assert 'id="meeting-answers">Maybe: 1 · Declined: 1</span>' in body
    assert 'data-response="declined">declined</span>' in body

    # Someone who does not see the meeting gets nothing; the auditor reads the answers only.
    reader = Client()
    reader.force_login(world.user("outsider"))
    assert reader.get(meeting.get_absolute_url()).status_code == 404
    auditor = Client()
    auditor.force_login(world.user("auditor"))
    page = auditor.get(meeting.get_absolute_url()).content.decode()
    assert 'data-response="tentative">maybe</span>' in page and "meeting-answer-form" not in page
    before = answers(meeting)
    refused = auditor.post(url, {"participant": customer.pk, "response": "accepted"})
    assert refused.status_code == 404 and answers(meeting) == before

    # A bad answer is shown as an error, nothing changes.
    shown = organizer.post(url, {"participant": customer.pk, "response": "soon"}, follow=True)
    assert "Select a valid choice." in shown.content.decode()
    assert answers(meeting) == before


def test_the_api_records_an_answer(world):
    meeting = plan(world)
    customer = rows(meeting)["Ownfirst Ownlast"]
    api = Api(world.user("rep"))
    response = api.send(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/answer/",
        {"participant": customer.pk, "response": "tentative"},
    )
    assert response.status_code == 200
    listed = {p["name"]: p["response"] for p in response.json()["participants"]}
    assert listed == {"Ownfirst Ownlast": "tentative", "Teammate Tester": "needs_action"}
    assert answer_changes(meeting).count() == 1

    before = counts()
    bad = api.send(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/answer/",
        {"participant": customer.pk, "response": "soon"},
    )
    assert bad.status_code == 400 and "response" in bad.json()["fields"]
    foreign = Api(world.user("outsider")).send(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/answer/",
        {"participant": customer.pk, "response": "declined"},
    )
    assert foreign.status_code == 404
    assert counts() == before and answers(meeting)["Ownfirst Ownlast"] == "tentative"
