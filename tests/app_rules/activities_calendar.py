"""Who may use each route and API operation of meetings, the calendar and the iCalendar feed.

A meeting is seen like the customer it is about (and by those who take part) and changed by its
organizer's side (their team, their head, directors and administrators): with the meetings made
below (each organized by the customer's owner), the foundation's ``customer`` rules. The
calendar and the feed page are everyone's own; the feed itself is opened by its secret address
alone (``public``: the token is the key)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.permission_base import Route, api_routes

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def _in(days: float) -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=days)


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _window() -> str:
    start, end = _in(-1), _in(7)
    return f"start={_local(start)}&end={_local(end)}"


def _answer(world, key) -> dict:
    """The customer's person, who takes part in the key's planned meeting, accepted."""
    return {"participant": world.cal_participants[key], "response": "accepted"}


def _meeting_form(world, key, actor):
    return {
        "kind": "meeting",
        "title": "Matrix meeting (edited)",
        "starts_at": _local(_in(4)),
        "ends_at": _local(_in(4.05)),
    }


RULES: dict = {}

WEB: dict[str, Route] = {
    "activities:calendar": Route("user"),
    "activities:calendar_events": Route("user", query=_window(), hidden_names=True),
    "activities:calendar_task_move": Route(
        "customer_change", ("POST",), obj="cal_task", data=lambda w, k, a: {"start": _local(_in(5))}
    ),
    "activities:calendar_feed": Route("user"),
    "activities:calendar_feed_issue": Route("user", ("POST",)),
    "activities:calendar_feed_revoke": Route("user", ("POST",)),
    "activities:calendar_feed_ics": Route(
        "public", extra_kwargs=lambda w, k: {"token": w.calendar_feed_token}
    ),
    "activities:meeting_create": Route("writer", ("GET", "POST"), data=_meeting_form),
    "activities:meeting_detail": Route("customer", obj="cal_meeting"),
    "activities:meeting_update": Route(
        "customer_change", ("GET", "POST"), obj="cal_meeting", data=_meeting_form
    ),
    "activities:meeting_move": Route(
        "customer_change",
        ("POST",),
        obj="cal_meeting",
        data=lambda w, k, a: {"start": _local(_in(6))},
    ),
    "activities:meeting_cancel": Route("customer_change", ("POST",), obj="cal_meeting"),
    "activities:meeting_held": Route(
        "customer_change", ("POST",), obj="cal_meeting_past", data=lambda w, k, a: {"notes": "ok"}
    ),
    "activities:meeting_invite": Route(
        "customer_change",
        ("POST",),
        obj="cal_meeting",
        data=lambda w, k, a: {"people": [w.people[k].pk], "message": "Matrix"},
    ),
    "activities:meeting_answer": Route(
        "customer_change", ("POST",), obj="cal_meeting", data=lambda w, k, a: _answer(w, k)
    ),
    "activities:meeting_delete": Route("customer_change", ("POST",), obj="cal_meeting"),
    "activities:meeting_ics": Route("customer", obj="cal_meeting"),
}

API: dict[tuple[str, str], Route] = {}


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


def _meeting_json(world, key, actor):
    return {
        "title": "Matrix API meeting",
        "starts_at": _in(3).isoformat(),
        "ends_at": _in(3.05).isoformat(),
        "company": world.companies[key].pk,
    }


_api("/api/v1/meetings/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/meetings/",
    "log_activity",  # a writer who sees the customer the meeting is about
    ("POST",),
    obj="company",
    data=_meeting_json,
)
_api("/api/v1/meetings/{id}/", "customer", ("GET", "DELETE"), obj="cal_meeting")
_api(
    "/api/v1/meetings/{id}/",
    "customer",
    ("PUT", "PATCH"),
    obj="cal_meeting",
    data=lambda w, k, a: {
        "title": "Matrix renamed",
        "starts_at": _in(5).isoformat(),
        "ends_at": _in(5.05).isoformat(),
    },
)
_api("/api/v1/meetings/{id}/invite/", "customer", ("POST",), obj="cal_meeting")
_api(
    "/api/v1/meetings/{id}/answer/",
    "customer",
    ("POST",),
    obj="cal_meeting",
    data=lambda w, k, a: _answer(w, k),
)
_api("/api/v1/meetings/{id}/cancel/", "customer", ("POST",), obj="cal_meeting")
_api(
    "/api/v1/meetings/{id}/reschedule/",
    "customer",
    ("POST",),
    obj="cal_meeting",
    data=lambda w, k, a: {"starts_at": _in(6).isoformat()},
)
_api(
    "/api/v1/meetings/{id}/held/",
    "customer",
    ("POST",),
    obj="cal_meeting_past",
    data=lambda w, k, a: {"notes": "Matrix"},
)
_api("/api/v1/calendar/events/", "user", ("GET",), query=_window(), hidden_names=True)


def _models():
    from rapport.activities.models import CalendarFeed, Meeting, MeetingParticipant

    return [Meeting, MeetingParticipant, CalendarFeed], [Meeting, MeetingParticipant]


COUNTED, STAMPED = _models()


def prepare(world) -> dict[str, dict[str, int]]:
    """Per key: a planned meeting of the customer's owner about the customer (with its person
    taking part), one that started two hours ago, and an open task of the owner due in two
    days; and the rep's calendar feed address."""
    from rapport.activities.services.calendar import calendar_feed_issue
    from rapport.activities.services.meetings import meeting_create
    from rapport.activities.services.tasks import task_create

    objects, participants = {}, {}
    for key, owner_key in OWNERS.items():
        owner, company = world.users[owner_key], world.companies[key]
        planned = meeting_create(
            actor=owner,
            title=f"Meeting with {company.name}",
            starts_at=_in(2),
            ends_at=_in(2.05),
            company=company,
            people=[world.people[key]],
        )
        started = meeting_create(
            actor=owner,
            title=f"Visit to {company.name}",
            starts_at=_in(-0.1),
            ends_at=_in(-0.05),
            company=company,
        )
        task = task_create(actor=owner, title=f"Call {company.name}", assignee=owner, due_at=_in(2))
        participants[key] = planned.participants.get().pk
        objects[key] = {
            "cal_meeting": planned.pk,
            "cal_meeting_past": started.pk,
            "cal_task": task.pk,
        }
    world.calendar_feed_token = calendar_feed_issue(actor=world.users["rep"])[1]
    world.cal_participants = participants
    return objects
