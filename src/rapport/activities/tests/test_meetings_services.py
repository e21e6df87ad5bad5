"""Meetings: planning with participants and a record, changes and moves (with the change log),
cancelling, marking held (logged on the timeline), reminders claimed once; bad input refused
with a translated message and nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rapport.activities.models import Activity, Meeting, MeetingParticipant
from rapport.activities.services.meetings import (
    claim_meeting_reminders,
    meeting_cancel,
    meeting_create,
    meeting_delete,
    meeting_mark_held,
    meeting_reschedule,
    meeting_set_participants,
    meeting_update,
)
from rapport.core import events
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord, Notification

pytestmark = pytest.mark.django_db


def at(hours: float, base=None) -> datetime.datetime:
    base = base or timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours)


def counts():
    return (
        Meeting.objects.count(),
        MeetingParticipant.objects.count(),
        ChangeRecord.objects.count(),
        Activity.objects.count(),
    )


def plan(world, actor_key="rep", **extra):
    actor = world.user(actor_key)
    values = {
        "title": "Quarterly review",
        "starts_at": at(24),
        "ends_at": at(25),
        "company": world.companies["own"],
        "people": [world.people["own"]],
        "users": [world.user("teammate")],
        "place": "Riga, Brivibas 1",
    }
    values.update(extra)
    return meeting_create(actor=actor, **values)


def test_a_meeting_with_our_people_and_the_customers(world, django_capture_on_commit_callbacks):
    seen = []
    events.subscribe("meeting.created", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            meeting = plan(world, title="  Quarterly   review ")
    finally:
        events.unsubscribe("meeting.created", seen.append)
    assert meeting.title == "Quarterly review"
    assert meeting.organizer == world.user("rep") and meeting.team == world.user("rep").team
    rows = {(r.user_id, r.person_id, r.email) for r in meeting.participants.all()}
    assert rows == {
        (world.user("teammate").pk, None, "teammate@example.com"),
        (None, world.people["own"].pk, "own.person@example.com"),
    }
    assert [e.payload["id"] for e in seen] == [meeting.pk]
    change = ChangeRecord.objects.get(object_id=meeting.pk, content_type__model="meeting")
    assert change.action == "create" and "Ownfirst Ownlast" in str(change.after["participants"])
    # The colleague is told in the notification centre.
    note = Notification.objects.get(user=world.user("teammate"))
    assert "Quarterly review" in note.title and note.url == meeting.get_absolute_url()


def test_a_meeting_is_seen_by_participants_and_by_those_who_see_the_customer(world):
    meeting = plan(world, users=[world.user("marketer")])
    for key, sees in [
        ("rep", True),
        ("teammate", True),
        ("head", True),
        ("marketer", True),  # takes part
        ("support", False),
        ("outsider", False),
    ]:
        assert Meeting.objects.restrict(world.user(key)).filter(pk=meeting.pk).exists() is sees
    # Only the organizer's side changes it: the marketer taking part does not.
    assert not Meeting.objects.restrict(world.user("marketer"), "change").filter(pk=meeting.pk)


def test_a_meeting_about_a_record_takes_its_customer(world):
    from rapport.core.records import find_record

    deal_like = find_record(world.user("rep"), "contacts.person", world.people["own"].pk)
    meeting = meeting_create(
        actor=world.user("rep"),
        title="Call about the offer",
        kind="call",
        starts_at=at(3),
        ends_at=at(3.5),
        record=deal_like,
    )
    assert (meeting.content_type.model, meeting.object_id) == ("person", world.people["own"].pk)
    assert meeting.person == world.people["own"]


def test_bad_times_are_refused_with_a_translated_message_and_nothing_written(world):
    before = counts()
    with pytest.raises(ValidationError) as error:
        plan(world, starts_at=at(5), ends_at=at(4))
    assert error.value.message_dict == {"ends_at": ["The meeting must end after it starts."]}
    with pytest.raises(ValidationError) as error:
        plan(world, starts_at=at(5), ends_at=at(5))
    assert "must end after it starts" in error.value.message_dict["ends_at"][0]
    with pytest.raises(ValidationError) as error:
        plan(world, starts_at=at(5), ends_at=at(5 + 24 * 20))
    assert "at most 14 days" in error.value.message_dict["ends_at"][0]
    with pytest.raises(ValidationError) as error:
        plan(world, starts_at=at(24 * 366 * 6), ends_at=at(24 * 366 * 6 + 1))
    assert "five years" in error.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as error:
        plan(world, remind_at=at(26))
    assert error.value.message_dict == {
        "remind_at": ["The reminder must come before the meeting starts."]
    }
    assert counts() == before


def test_a_participant_one_may_not_see_is_not_found_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(NotFound):
        plan(world, people=[world.people["foreign"]])
    with pytest.raises(NotFound):
        plan(world, company=world.companies["foreign"])
    with pytest.raises(NotFound):
        plan(world, users=[999999])
    assert counts() == before


def test_an_inactive_colleague_cannot_take_part(world):
    from rapport.accounts.models import User

    User.objects.filter(pk=world.user("teammate").pk).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        plan(world)
    assert "no longer active" in error.value.messages[0]
    assert not Meeting.objects.exists()


def test_a_change_raises_the_sequence_and_is_in_the_change_log(world):
    meeting = plan(world)
    assert meeting.sequence == 0
    meeting = meeting_update(actor=world.user("rep"), meeting=meeting, place="Online")
    assert meeting.sequence == 1 and meeting.place == "Online"
    change = ChangeRecord.objects.filter(object_id=meeting.pk, action="update").get()
    assert (change.before["place"], change.after["place"]) == ("Riga, Brivibas 1", "Online")
    # Only the reminder changed: nothing the invited see, the sequence stays.
    meeting = meeting_update(actor=world.user("rep"), meeting=meeting, remind_at=at(23))
    assert meeting.sequence == 1
    # A teammate may change it too (the organizer's team); the outsider may not.
    meeting_update(actor=world.user("teammate"), meeting=meeting, title="Review")
    with pytest.raises(NotFound):
        meeting_update(actor=world.user("outsider"), meeting=meeting, title="Hijack")
    assert Meeting.objects.get(pk=meeting.pk).title == "Review"


def test_participants_are_replaced_but_keep_their_answers(world):
    meeting = plan(world)
    MeetingParticipant.objects.filter(person=world.people["own"]).update(response="accepted")
    meeting_set_participants(
        actor=world.user("rep"),
        meeting=meeting,
        users=[world.user("head")],
        people=[world.people["own"], world.people["team"]],
    )
    rows = {
        (r.user_id or r.person_id, r.response)
        for r in MeetingParticipant.objects.filter(meeting=meeting)
    }
    assert rows == {
        (world.user("head").pk, "needs_action"),
        (world.people["own"].pk, "accepted"),
        (world.people["team"].pk, "needs_action"),
    }
    with pytest.raises(NotFound):
        meeting_set_participants(
            actor=world.user("rep"), meeting=meeting, people=[world.people["foreign"]]
        )
    assert MeetingParticipant.objects.filter(meeting=meeting).count() == 3


def test_reschedule_keeps_the_length_and_moves_the_reminder(world):
    meeting = plan(world, remind_at=at(23.5))
    moved = meeting_reschedule(actor=world.user("rep"), meeting=meeting, starts_at=at(48))
    assert (moved.starts_at, moved.ends_at, moved.remind_at) == (at(48), at(49), at(47.5))
    assert moved.sequence == 1
    moved = meeting_reschedule(
        actor=world.user("rep"), meeting=moved, starts_at=at(50), ends_at=at(52)
    )
    assert moved.ends_at == at(52)
    before = counts()
    with pytest.raises(ValidationError) as error:
        meeting_reschedule(actor=world.user("rep"), meeting=moved, starts_at=at(60), ends_at=at(59))
    assert error.value.message_dict == {"ends_at": ["The meeting must end after it starts."]}
    with pytest.raises(ValidationError):
        meeting_reschedule(
            actor=world.user("rep"), meeting=moved, starts_at=at(-24 * 800)
        )  # years ago
    assert counts() == before
    assert Meeting.objects.get(pk=meeting.pk).starts_at == at(50)


def test_cancel_and_nothing_more_after(world):
    meeting = meeting_cancel(actor=world.user("rep"), meeting=plan(world))
    assert meeting.status == "cancelled" and meeting.sequence == 1
    with pytest.raises(DomainError) as error:
        meeting_reschedule(actor=world.user("rep"), meeting=meeting, starts_at=at(30))
    assert "cancelled" in str(error.value.message)
    with pytest.raises(DomainError):
        meeting_mark_held(actor=world.user("rep"), meeting=meeting)


def test_a_held_meeting_is_logged_on_the_customers_timeline(world):
    meeting = plan(world, starts_at=at(-2), ends_at=at(-1), description="Prices for 2027")
    held = meeting_mark_held(actor=world.user("rep"), meeting=meeting, notes="Agreed on -5%")
    assert held.status == "held"
    activity = Activity.objects.get(subject="Quarterly review")
    assert activity.kind == "meeting" and activity.company == world.companies["own"]
    assert activity.person == world.people["own"]
    assert activity.body == "Prices for 2027\n\nAgreed on -5%"
    assert (activity.occurred_at, activity.duration_minutes) == (at(-2), 60)
    from rapport.activities.selectors.timeline import timeline

    entries, _cursor = timeline(world.companies["own"], user=world.user("rep"))
    assert any(e.kind == "activity" and e.item.pk == activity.pk for e in entries)


def test_a_meeting_not_started_cannot_be_held(world):
    meeting = plan(world)
    before = counts()
    with pytest.raises(DomainError) as error:
        meeting_mark_held(actor=world.user("rep"), meeting=meeting)
    assert "has not started yet" in str(error.value.message)
    assert counts() == before


def test_delete_is_logged(world):
    meeting = plan(world)
    meeting_delete(actor=world.user("rep"), meeting=meeting)
    assert not Meeting.objects.exists() and not MeetingParticipant.objects.exists()
    assert ChangeRecord.objects.filter(object_id=meeting.pk, action="delete").exists()


def test_reminders_are_claimed_once_and_sent_in_the_users_language(world, settings):
    from rapport.accounts.models import User

    User.objects.filter(pk=world.user("teammate").pk).update(language="lv")
    # Reminders a little ahead of the clock, claimed by a scheduler run "later" (``now``).
    meeting = plan(world, starts_at=at(4), ends_at=at(5), remind_at=at(3.5))
    cancelled = plan(world, title="Off", starts_at=at(4), ends_at=at(5), remind_at=at(3.5))
    meeting_cancel(actor=world.user("rep"), meeting=cancelled)
    later = plan(world, title="Later", starts_at=at(30), ends_at=at(31), remind_at=at(29))
    now = at(3.75)
    assert claim_meeting_reminders(now=now, batch=1) == 1
    assert claim_meeting_reminders(now=now, batch=10) == 1
    assert claim_meeting_reminders(now=now, batch=10) == 0
    notes = Notification.objects.filter(kind="reminder")
    assert sorted(n.user.username for n in notes) == ["rep", "teammate"]
    assert all("Quarterly review" in n.title for n in notes)
    assert Meeting.objects.get(pk=meeting.pk).reminded_at == now
    assert Meeting.objects.get(pk=cancelled.pk).reminded_at == now  # marked, never told
    assert Meeting.objects.get(pk=later.pk).reminded_at is None
    assert all(n.email_wanted for n in notes)
