"""Meetings sent to customers as .ics invitations over real SMTP (aiosmtpd on loopback): the
request, an update with a higher SEQUENCE, the cancellation; in the person's language; refused
for a person without consent or e-mail; logged on the customer's timeline."""

from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.utils import formats, timezone, translation
from icalendar import Calendar

from rapport.activities.models import Activity, MeetingParticipant
from rapport.activities.services.meeting_invitations import meeting_invite
from rapport.activities.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_reschedule,
)
from rapport.contacts.services import consent_set
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def at(hours: float) -> datetime.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours)


def parsed(envelope):
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return message, body, part, calendar


def plan(world, **extra):
    values = {
        "title": "Boiler commissioning",
        "starts_at": at(48),
        "ends_at": at(50),
        "place": "Plant 2, Jelgava",
        "description": "1. Safety briefing\n2. Test run",
        "company": world.companies["own"],
        "people": [world.people["own"]],
        "users": [world.user("teammate")],
    }
    values.update(extra)
    return meeting_create(actor=world.user("rep"), **values)


def test_invitation_update_and_cancellation_reach_the_customer(
    world, smtp_server, django_capture_on_commit_callbacks
):
    from rapport.accounts.models import User

    User.objects.filter(pk=world.user("rep").pk).update(email="rep@rapport.test")
    rep = User.objects.get(pk=world.user("rep").pk)
    meeting = plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        invited = meeting_invite(actor=rep, meeting=meeting, message="See you there!")
    assert [row.person_id for row in invited] == [world.people["own"].pk]
    assert MeetingParticipant.objects.get(person=world.people["own"]).invited_at is not None

    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["own.person@example.com"]
    message, body, part, calendar = parsed(envelope)
    assert message["Subject"].startswith("Invitation: Boiler commissioning")
    assert message["Reply-To"] == "rep@rapport.test"
    assert "See you there!" in body and "Plant 2, Jelgava" in body and "Safety briefing" in body
    assert part.get_param("method") == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    uid = str(event["UID"])
    assert uid == f"{meeting.uid}@rapport"
    assert event["SEQUENCE"] == 0 and str(event["SUMMARY"]) == "Boiler commissioning"
    assert event.decoded("DTSTART") == at(48) and event.decoded("DTEND") == at(50)
    assert str(event["ORGANIZER"]) == "mailto:rep@rapport.test"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:own.person@example.com"]["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees["mailto:own.person@example.com"]["CN"] == "Ownfirst Ownlast"
    assert "mailto:teammate@example.com" in attendees

    # Logged on the customer's timeline.
    logged = Activity.objects.get(kind="email", person=world.people["own"])
    assert logged.subject == message["Subject"] and logged.company == world.companies["own"]
    # Kept in the outbox as sent.
    assert OutboxMessage.objects.get().sent_at is not None

    # Moving the meeting sends the update: the same UID, a higher SEQUENCE.
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(actor=rep, meeting=meeting, starts_at=at(72))
    message, body, part, calendar = parsed(smtp_server.messages[1])
    (event,) = calendar.walk("VEVENT")
    assert message["Subject"].startswith("Updated invitation: Boiler commissioning")
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == at(72)

    # Cancelling sends METHOD:CANCEL with a higher SEQUENCE still.
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(actor=rep, meeting=meeting)
    message, body, part, calendar = parsed(smtp_server.messages[2])
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL" and part.get_param("method") == "CANCEL"
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert message["Subject"].startswith("Cancelled: Boiler commissioning")
    assert Activity.objects.filter(kind="email", person=world.people["own"]).count() == 3


def test_the_invitation_is_in_the_persons_language(
    world, smtp_server, django_capture_on_commit_callbacks
):
    from rapport.contacts.models import Person

    Person.objects.filter(pk=world.people["own"].pk).update(preferred_language="ru")
    meeting = plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_invite(actor=world.user("rep"), meeting=meeting)
    message, body, _part, _calendar = parsed(smtp_server.messages[0])
    # The lead fills the catalogues; until then the text falls back to English, but the date
    # is already written the Russian way.
    with translation.override("ru"):
        expected = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    assert f"Когда: {expected}" in body and "г." in expected


def test_a_person_who_withdrew_consent_is_refused_and_nothing_is_sent(
    world, smtp_server, django_capture_on_commit_callbacks
):
    person = world.people["own"]
    consent_set(
        actor=world.user("rep"), person=person, channel="email", is_granted=False, method="other"
    )
    meeting = plan(world)
    activities = Activity.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        meeting_invite(actor=world.user("rep"), meeting=meeting)
    assert error.value.message_dict == {
        "people": ["Ownfirst Ownlast has withdrawn consent to e-mails."]
    }
    assert smtp_server.messages == [] and not OutboxMessage.objects.exists()
    assert Activity.objects.count() == activities
    assert MeetingParticipant.objects.get(person=person).invited_at is None


def test_a_person_without_e_mail_is_refused(world, smtp_server, django_capture_on_commit_callbacks):
    from rapport.contacts.models import Person

    Person.objects.filter(pk=world.people["own"].pk).update(email="")
    meeting = plan(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        meeting_invite(actor=world.user("rep"), meeting=meeting)
    assert error.value.message_dict == {
        "people": ["Ownfirst Ownlast has no e-mail address: the invitation cannot be sent."]
    }
    assert smtp_server.messages == []


def test_invitations_need_people_and_a_planned_future_meeting(world, smtp_server):
    with pytest.raises(ValidationError) as error:
        meeting_invite(actor=world.user("rep"), meeting=plan(world, people=[]))
    assert "Add the customer's people" in error.value.messages[0]
    meeting = plan(world)
    with pytest.raises(ValidationError) as error:
        meeting_invite(actor=world.user("rep"), meeting=meeting, people=[world.people["team"].pk])
    assert error.value.messages == ["Invite only people who take part in the meeting."]
    past = plan(world, starts_at=at(-3), ends_at=at(-2))
    with pytest.raises(DomainError) as error:
        meeting_invite(actor=world.user("rep"), meeting=past)
    assert "already over" in str(error.value.message)
    meeting_mark_held(actor=world.user("rep"), meeting=past)
    with pytest.raises(DomainError):
        meeting_invite(actor=world.user("rep"), meeting=past)
    assert smtp_server.messages == []
