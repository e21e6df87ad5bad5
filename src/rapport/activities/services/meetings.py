"""Meetings and calls: plan, change, move, cancel, mark held, who takes part and their answers,
reminders.

Invitations to the customer's people (.ics by e-mail) are in ``meeting_invitations.py``; this
module calls them after a change, so a customer who was invited gets the update or the
cancellation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rapport.activities.choices import ActivityKind, MeetingKind, MeetingStatus, Response
from rapport.activities.models import Meeting, MeetingParticipant
from rapport.contacts.models import Company, Person
from rapport.core import events, records
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction, NotificationKind
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer

MAX_DURATION = datetime.timedelta(days=14)
PAST_LIMIT = datetime.timedelta(days=366)
FUTURE_LIMIT = datetime.timedelta(days=5 * 366)
PARTICIPANT_LIMIT = 100
HELD_AS = {MeetingKind.MEETING: ActivityKind.MEETING, MeetingKind.CALL: ActivityKind.CALL}
# A change of one of these is news to the invited: the invitation goes out again, SEQUENCE + 1.
CALENDAR_FIELDS = ("title", "description", "starts_at", "ends_at", "place", "link", "status")
EDITABLE = {
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "link",
    "remind_at",
    "organizer",
}


# Checks -----------------------------------------------------------------------------------------
def check_times(meeting: Meeting, *, now, moved: bool, reminder_changed: bool) -> None:
    """The meeting's times make sense: it ends after it starts, lasts at most two weeks, is not
    moved years away, and its reminder comes before it."""
    errors: dict[str, list[str]] = {}
    if meeting.starts_at is None:
        errors["starts_at"] = [_("Enter when the meeting starts.")]
    if meeting.ends_at is None:
        errors["ends_at"] = [_("Enter when the meeting ends.")]
    if errors:
        raise ValidationError(errors)
    if meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    elif meeting.ends_at - meeting.starts_at > MAX_DURATION:
        errors["ends_at"] = [
            _("A meeting lasts at most %(days)d days.") % {"days": MAX_DURATION.days}
        ]
    if moved:
        if meeting.starts_at < now - PAST_LIMIT:
            errors["starts_at"] = [_("The meeting would start more than a year ago.")]
        elif meeting.starts_at > now + FUTURE_LIMIT:
            errors["starts_at"] = [_("The meeting would start more than five years from now.")]
    if meeting.remind_at and (reminder_changed or moved):
        if meeting.remind_at >= meeting.starts_at:
            errors["remind_at"] = [_("The reminder must come before the meeting starts.")]
        elif reminder_changed and meeting.remind_at < now - datetime.timedelta(minutes=1):
            errors["remind_at"] = [_("The reminder time is in the past.")]
    if errors:
        raise ValidationError(errors)


def _require_planned(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise DomainError(
            _("This meeting is %(status)s: it can no longer be changed.")
            % {"status": meeting.get_status_display()},
            code="not_planned",
        )


def _check_organizer(organizer) -> None:
    if organizer is None or not organizer.is_active:
        raise ValidationError({"organizer": [_("Choose an active user as the organizer.")]})


def _attach(actor, meeting: Meeting, *, record=None, company=None, person=None) -> None:
    """Link the meeting to ``record`` (any registered record type) or to a customer; the actor
    must see what it is attached to."""
    if record is not None:
        kind = records.record_type_of(record)
        if kind is None:
            raise ValidationError(_("Meetings cannot be attached to this kind of record."))
        if not type(record).objects.restrict(actor).filter(pk=record.pk).exists():
            raise NotFound()
        meeting.content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        meeting.object_id = record.pk
        meeting.company_id, meeting.person_id = kind.customer_of(record)
        return
    if company is not None and not Company.objects.restrict(actor).filter(pk=company.pk).exists():
        raise NotFound()
    if person is not None and not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise NotFound()
    meeting.content_type, meeting.object_id = None, None
    meeting.company, meeting.person = company, person


def _ids(items: Iterable) -> list[int]:
    found: list[int] = []
    for item in items or ():
        pk = getattr(item, "pk", item)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise NotFound() from None
        if pk not in found:
            found.append(pk)
    return found


def resolve_participants(actor, users: Iterable = (), people: Iterable = ()):
    """(users, people) to take part: active users, and people of the customer the actor sees
    (a person one may not see answers as if it did not exist)."""
    from rapport.accounts.models import User

    user_ids, person_ids = _ids(users), _ids(people)
    if len(user_ids) + len(person_ids) > PARTICIPANT_LIMIT:
        raise ValidationError(
            {
                "participants": [
                    _("A meeting has at most %(n)d participants.") % {"n": PARTICIPANT_LIMIT}
                ]
            }
        )
    found_users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    for pk in user_ids:
        user = found_users.get(pk)
        if user is None:
            raise NotFound()
        if not user.is_active:
            raise ValidationError(
                {"participants": [_("%(user)s is no longer active.") % {"user": user}]}
            )
    found_people = {p.pk: p for p in Person.objects.restrict(actor).filter(pk__in=person_ids)}
    if len(found_people) != len(person_ids):
        raise NotFound()
    return [found_users[pk] for pk in user_ids], [found_people[pk] for pk in person_ids]


# Writing ----------------------------------------------------------------------------------------
def _parent(meeting: Meeting):
    """Where the meeting shows in the change log: its record, else its customer."""
    if meeting.content_type_id and meeting.object_id:
        found = records.records_by_key([(meeting.content_type_id, meeting.object_id)])
        record = found.get((meeting.content_type_id, meeting.object_id))
        if record is not None:
            return record
    return meeting.person or meeting.company


def _snapshot(meeting: Meeting) -> dict:
    data = snapshot(meeting)
    data["participants"] = sorted(
        str(p) for p in meeting.participants.select_related("user", "person")
    )
    return data


def _sync_participants(meeting: Meeting, users, people) -> list:
    """Make the participants exactly ``users`` and ``people``; rows of those who stay keep their
    answer and invitation. Returns the users newly added."""
    rows = list(meeting.participants.all())
    keep_users, keep_people = {u.pk for u in users}, {p.pk for p in people}
    stale = [
        r.pk
        for r in rows
        if (r.user_id and r.user_id not in keep_users)
        or (r.person_id and r.person_id not in keep_people)
    ]
    if stale:
        MeetingParticipant.objects.filter(pk__in=stale).delete()
    have_users = {r.user_id for r in rows if r.user_id}
    have_people = {r.person_id: r for r in rows if r.person_id}
    added_users = [u for u in users if u.pk not in have_users]
    new = [MeetingParticipant(meeting=meeting, user=u, email=u.email) for u in added_users]
    new += [
        MeetingParticipant(meeting=meeting, person=p, email=p.email)
        for p in people
        if p.pk not in have_people
    ]
    for row in new:
        row.full_clean(exclude=["meeting"])
    MeetingParticipant.objects.bulk_create(new)
    # A person's e-mail may have changed since they were added: invitations go to the current one.
    for person in people:
        row = have_people.get(person.pk)
        if row is not None and row.email != person.email:
            MeetingParticipant.objects.filter(pk=row.pk).update(email=person.email)
    return added_users


def _tell_colleagues(actor, meeting: Meeting, users) -> None:
    from rapport.core.notifications import notify

    others = [u for u in users if u.pk != getattr(actor, "pk", None)]
    if not others:
        return
    notify(
        users=others,
        kind=NotificationKind.ASSIGNMENT,
        title=lambda user: (
            _("You take part in “%(meeting)s” on %(when)s")
            % {"meeting": meeting.title, "when": _when(meeting.starts_at)}
        ),
        url=meeting.get_absolute_url(),
        key=f"meeting-participant:{meeting.pk}:{meeting.sequence}",
    )


def _when(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _customer_from_people(actor, meeting: Meeting, people) -> None:
    """A meeting with the customer's people and no record is about the first of them."""
    if meeting.company_id or meeting.person_id or not people:
        return
    meeting.person = people[0]


def meeting_create(
    *,
    actor,
    title: str,
    starts_at,
    ends_at,
    organizer=None,
    record=None,
    company=None,
    person=None,
    users: Iterable = (),
    people: Iterable = (),
    **fields,
) -> Meeting:
    """Plan a meeting or a call (the organizer is the actor unless another user is given)."""
    require_writer(actor)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"meeting_create() got unexpected fields {sorted(unknown)}")
    organizer = organizer or actor
    _check_organizer(organizer)
    meeting = Meeting(
        title=" ".join((title or "").split()),
        starts_at=starts_at,
        ends_at=ends_at,
        organizer=organizer,
        team_id=organizer.team_id,
        **fields,
    )
    meeting.kind = meeting.kind or MeetingKind.MEETING
    _attach(actor, meeting, record=record, company=company, person=person)
    users, people = resolve_participants(actor, users, people)
    _customer_from_people(actor, meeting, people)
    check_times(meeting, now=timezone.now(), moved=True, reminder_changed=True)
    with transaction.atomic():
        meeting.full_clean()
        meeting.save()
        added = _sync_participants(meeting, users, people)
        ensure_in_scope(actor, meeting, "view")
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=meeting,
            after=_snapshot(meeting),
            parent=_parent(meeting),
        )
        _tell_colleagues(actor, meeting, added)
        events.emit("meeting.created", id=meeting.pk, organizer=meeting.organizer_id)
    return meeting


def _change(
    actor,
    meeting: Meeting,
    *,
    if_match=None,
    mutate: Callable[[Meeting], None],
    participants: tuple | None = None,
    event: str = "meeting.updated",
    planned_only: bool = True,
    tell_invited: str | None = "REQUEST",
) -> Meeting:
    """Lock, change, check, save and log a meeting. When something the invited see in their
    calendar changed, they get the new version (``tell_invited``: REQUEST, or CANCEL) by e-mail
    after the commit, each logged on the customer's timeline."""
    from rapport.activities.services.meeting_invitations import letters_to_invited

    with transaction.atomic():
        meeting = lock_for_change(actor, meeting, if_match=if_match)
        if planned_only:
            _require_planned(meeting)
        before = _snapshot(meeting)
        old = {name: getattr(meeting, name) for name in (*CALENDAR_FIELDS, "remind_at")}
        old_organizer = meeting.organizer_id
        mutate(meeting)
        meeting.title = " ".join((meeting.title or "").split())
        if meeting.organizer_id != old_organizer:
            _check_organizer(meeting.organizer)
            meeting.team_id = meeting.organizer.team_id
        if meeting.remind_at != old["remind_at"]:
            meeting.reminded_at = None
        check_times(
            meeting,
            now=timezone.now(),
            moved=(meeting.starts_at, meeting.ends_at) != (old["starts_at"], old["ends_at"]),
            reminder_changed=meeting.remind_at != old["remind_at"],
        )
        news = any(getattr(meeting, name) != old[name] for name in CALENDAR_FIELDS)
        if news:
            meeting.sequence += 1
        meeting.full_clean()
        meeting.save()
        added = []
        if participants is not None:
            users, people = participants
            added = _sync_participants(meeting, users, people)
        ensure_in_scope(actor, meeting, "view")
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=meeting,
            before=before,
            after=_snapshot(meeting),
            parent=_parent(meeting),
        )
        _tell_colleagues(actor, meeting, added)
        events.emit(event, id=meeting.pk)
        if news and tell_invited:
            letters = letters_to_invited(actor, meeting, method=tell_invited)
            if letters:
                transaction.on_commit(lambda: [letter.send() for letter in letters])
    return meeting


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    if_match=None,
    users: Iterable | None = None,
    people: Iterable | None = None,
    record=...,
    company=...,
    person=...,
    **fields,
) -> Meeting:
    """Change a planned meeting's details (and, when given, its participants and what it is
    about); the people already invited get the new version."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"meeting_update() got unexpected fields {sorted(unknown)}")
    participants = None
    if users is not None or people is not None:
        current = list(meeting.participants.values_list("user_id", "person_id"))
        if users is None:
            users = [u for u, _p in current if u]
        if people is None:
            people = [p for _u, p in current if p]
        participants = resolve_participants(actor, users, people)

    def mutate(m: Meeting) -> None:
        for key, value in fields.items():
            setattr(m, key, value)
        if record is not ... or company is not ... or person is not ...:
            _attach(
                actor,
                m,
                record=None if record is ... else record,
                company=None if company is ... else company,
                person=None if person is ... else person,
            )
        if participants is not None:
            _customer_from_people(actor, m, participants[1])

    return _change(actor, meeting, if_match=if_match, mutate=mutate, participants=participants)


def meeting_reschedule(
    *, actor, meeting: Meeting, starts_at, ends_at=None, if_match=None
) -> Meeting:
    """Move a planned meeting (dragged in the calendar): without ``ends_at`` it keeps its length;
    its reminder moves with it (and is dropped if it would now be in the past)."""
    if starts_at is None:
        raise ValidationError({"starts_at": [_("Enter when the meeting starts.")]})

    def mutate(m: Meeting) -> None:
        shift = starts_at - m.starts_at
        m.ends_at = ends_at if ends_at is not None else m.ends_at + shift
        m.starts_at = starts_at
        if m.remind_at:
            m.remind_at = m.remind_at + shift
            if m.remind_at < timezone.now():
                m.remind_at = None

    return _change(actor, meeting, if_match=if_match, mutate=mutate, event="meeting.rescheduled")


def meeting_set_participants(
    *, actor, meeting: Meeting, users: Iterable = (), people: Iterable = (), if_match=None
) -> Meeting:
    """Who takes part: exactly these users and people (those who stay keep their answers)."""
    participants = resolve_participants(actor, users, people)
    return _change(
        actor,
        meeting,
        if_match=if_match,
        mutate=lambda m: _customer_from_people(actor, m, participants[1]),
        participants=participants,
    )


def meeting_record_answer(
    *, actor, meeting: Meeting, participant, response: str, if_match=None
) -> MeetingParticipant:
    """Record a participant's answer to a planned meeting (accepted, maybe, declined, or back to
    no answer yet), as the organizer's side heard it; logged on the meeting (under its record
    or customer) with the participant's name as the field. The invited get no new e-mail: an
    answer changes nothing in their calendar."""
    if response not in Response.values:
        raise ValidationError(
            {"response": [_("Choose the answer: accepted, maybe, declined or no answer yet.")]}
        )
    pk = getattr(participant, "pk", participant)
    with transaction.atomic():
        meeting = lock_for_change(actor, meeting, if_match=if_match)
        _require_planned(meeting)
        row = (
            MeetingParticipant._base_manager.select_for_update(of=("self",))
            .select_related("user", "person")
            .filter(meeting=meeting, pk=pk)
            .first()
            if str(pk).isdigit()
            else None
        )
        if row is None:
            raise NotFound()
        if row.response == response:
            return row
        name = str(row)
        before = {name: row.response}
        row.response = response
        row.save(update_fields=["response", "updated_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=meeting,
            before=before,
            after={name: row.response},
            parent=_parent(meeting),
        )
        events.emit("meeting.answered", id=meeting.pk, participant=row.pk, response=response)
    return row


def meeting_cancel(*, actor, meeting: Meeting, if_match=None) -> Meeting:
    """Call a planned meeting off; the invited customers get a cancellation."""

    def mutate(m: Meeting) -> None:
        m.status = MeetingStatus.CANCELLED

    return _change(
        actor,
        meeting,
        if_match=if_match,
        mutate=mutate,
        event="meeting.cancelled",
        tell_invited="CANCEL",
    )


def meeting_mark_held(*, actor, meeting: Meeting, notes: str = "", if_match=None) -> Meeting:
    """The meeting took place: it is logged as an activity on its customer's timeline."""
    from rapport.activities.services.activities import activity_log

    notes = (notes or "").strip()
    if len(notes) > 10000:
        raise ValidationError({"notes": [_("The notes are too long.")]})
    with transaction.atomic():

        def mutate(m: Meeting) -> None:
            if m.starts_at > timezone.now():
                raise DomainError(
                    _("The meeting has not started yet: it cannot be marked as held."),
                    code="not_started",
                )
            m.status = MeetingStatus.HELD

        meeting = _change(
            actor,
            meeting,
            if_match=if_match,
            mutate=mutate,
            event="meeting.held",
            tell_invited=None,
        )
        company, person = _visible_customer(actor, meeting)
        if company is not None or person is not None:
            minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
            activity_log(
                actor=actor,
                company=company,
                person=person,
                kind=ActivityKind.CALL
                if meeting.kind == MeetingKind.CALL
                else ActivityKind.MEETING,
                subject=meeting.title[:200],
                body="\n\n".join(part for part in (meeting.description, notes) if part),
                occurred_at=meeting.starts_at,
                duration_minutes=min(minutes, 24 * 60),
            )
    return meeting


def _visible_customer(actor, meeting: Meeting):
    company = (
        Company.objects.restrict(actor).filter(pk=meeting.company_id).first()
        if meeting.company_id
        else None
    )
    # The meeting's person, else the first of the customer's people who took part.
    people = [meeting.person_id] if meeting.person_id else []
    people += (
        meeting.participants.filter(person__isnull=False)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    visible = {p.pk: p for p in Person.objects.restrict(actor).filter(pk__in=people)}
    person = next((visible[pk] for pk in people if pk in visible), None)
    return company, person


def meeting_delete(*, actor, meeting: Meeting, if_match=None) -> None:
    """Remove a meeting; a planned one the customers were invited to is cancelled for them
    first (their e-mail goes out after the commit)."""
    from rapport.activities.services.meeting_invitations import letters_to_invited

    with transaction.atomic():
        meeting = lock_for_change(actor, meeting, if_match=if_match)
        letters = []
        if meeting.status == MeetingStatus.PLANNED:
            meeting.status = MeetingStatus.CANCELLED
            meeting.sequence += 1
            letters = letters_to_invited(actor, meeting, method="CANCEL")
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=meeting,
            before=_snapshot(meeting),
            parent=_parent(meeting),
        )
        pk = meeting.pk
        meeting.delete()
        events.emit("meeting.deleted", id=pk)
        if letters:
            transaction.on_commit(lambda: [letter.send() for letter in letters])


# Reminders --------------------------------------------------------------------------------------
def claim_meeting_reminders(now: datetime.datetime, batch: int = 500) -> int:
    """Remind the organizer and our participants of up to ``batch`` meetings whose reminder time
    has come; returns how many reminders were claimed (0: nothing left).

    The due rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked in the same
    transaction, so several workers never remind of the same meeting twice; the notification's
    key makes a retried run harmless too. A cancelled or held meeting is marked, not reminded of.
    """
    from rapport.core.notifications import Notice, notify_many

    with transaction.atomic():
        due = list(
            Meeting.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(remind_at__isnull=False, reminded_at__isnull=True, remind_at__lte=now)
            .select_related("organizer")
            .order_by("remind_at", "pk")[:batch]
        )
        if not due:
            return 0
        Meeting.objects.filter(pk__in=[m.pk for m in due]).update(reminded_at=now)
        planned = [m for m in due if m.status == MeetingStatus.PLANNED]
        colleagues: dict[int, list] = {}
        for row in MeetingParticipant.objects.filter(
            meeting__in=planned, user__isnull=False
        ).select_related("user"):
            colleagues.setdefault(row.meeting_id, []).append(row.user)
        notices = []
        for meeting in planned:
            users = {u.pk: u for u in colleagues.get(meeting.pk, [])}
            if meeting.organizer is not None:
                users[meeting.organizer.pk] = meeting.organizer

            def title(user, meeting=meeting) -> str:
                return _("Reminder: “%(meeting)s” at %(when)s") % {
                    "meeting": meeting.title,
                    "when": _when(meeting.starts_at),
                }

            notices.append(
                Notice(
                    users=list(users.values()),
                    kind=NotificationKind.REMINDER,
                    title=title,
                    body=lambda user, meeting=meeting: meeting.place or meeting.link or "",
                    url=meeting.get_absolute_url(),
                    key=f"meeting-reminder:{meeting.pk}:{meeting.remind_at.isoformat()}",
                    email=True,
                )
            )
        notify_many(notices)
    return len(due)
