"""iCalendar (RFC 5545) text of meetings and tasks: invitations to customers and personal feeds.

Times are written in UTC (``...Z``), so no time-zone definitions are needed and every calendar
reads the same instants. UIDs are stable: a meeting keeps its ``uid`` for life (an invitation sent
again with a higher SEQUENCE updates the customer's copy instead of adding one), a task's is
derived from the site address and its id.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from rapport.activities.choices import MeetingStatus, Response

PRODID = "-//Rapport CRM//Rapport//EN"
TASK_MINUTES = 30  # how long a task's due time shows in a calendar

PARTSTAT = {
    Response.NEEDS_ACTION: "NEEDS-ACTION",
    Response.ACCEPTED: "ACCEPTED",
    Response.TENTATIVE: "TENTATIVE",
    Response.DECLINED: "DECLINED",
}


def meeting_uid(meeting) -> str:
    return f"{meeting.uid}@rapport"


def task_uid(task) -> str:
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.SITE_URL}/tasks/{task.pk}')}@rapport"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def meeting_event(
    meeting, participants: Iterable, *, cancelled: bool = False, url: str = ""
) -> Event:
    """One VEVENT of ``meeting`` with its ORGANIZER and an ATTENDEE per participant who has an
    e-mail address (their answer as PARTSTAT)."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", _utc(timezone.now()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("sequence", meeting.sequence)
    # The link goes into the text too: LOCATION holds the place when there is one.
    text = "\n\n".join(part for part in (meeting.description, meeting.link) if part)
    if text:
        event.add("description", text)
    location = meeting.place or meeting.link
    if location:
        event.add("location", location)
    if url or meeting.link:
        event.add("url", url or meeting.link)
    status = "CANCELLED" if cancelled or meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
    event.add("status", status)
    organizer = meeting.organizer
    if organizer is not None and organizer.email:
        event.add("organizer", _address(organizer.email, str(organizer)))
    for participant in participants:
        email = participant.email or (participant.user.email if participant.user_id else "")
        if not email:
            continue
        name = str(participant.user if participant.user_id else participant.person)
        event.add(
            "attendee",
            _address(
                email,
                name,
                role="REQ-PARTICIPANT",
                partstat=PARTSTAT.get(participant.response, "NEEDS-ACTION"),
                rsvp="TRUE" if participant.person_id else "FALSE",
            ),
        )
    return event


def invitation(meeting, participants: Iterable, *, method: str = "REQUEST") -> bytes:
    """The .ics of an invitation (``REQUEST``) or of its cancellation (``CANCEL``)."""
    cal = _calendar(method=method)
    cal.add_component(meeting_event(meeting, participants, cancelled=method == "CANCEL"))
    return cal.to_ical()


def task_event(task) -> Event:
    """An open task as a short, non-blocking VEVENT at its due time (phone calendars show events
    of a subscribed calendar, many ignore VTODO)."""
    event = Event()
    event.add("uid", task_uid(task))
    event.add("dtstamp", _utc(task.updated_at or timezone.now()))
    event.add("dtstart", _utc(task.due_at))
    event.add("dtend", _utc(task.due_at + datetime.timedelta(minutes=TASK_MINUTES)))
    event.add("summary", task.title)
    if task.description:
        event.add("description", task.description)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["TASK"])
    from rapport.activities.selectors.calendar import task_url

    url = task_url(task.pk)
    if url:
        event.add("url", absolute_url(url))
    return event


def feed(*, name: str, meetings: Iterable, participants_of: dict, tasks: Iterable) -> bytes:
    """A personal calendar: meetings (with their participants) and open tasks with due times."""
    cal = _calendar(name=name)
    cal.add("x-published-ttl", "PT15M")
    for meeting in meetings:
        url = absolute_url(meeting.get_absolute_url())
        cal.add_component(meeting_event(meeting, participants_of.get(meeting.pk, []), url=url))
    for task in tasks:
        cal.add_component(task_event(task))
    return cal.to_ical()
