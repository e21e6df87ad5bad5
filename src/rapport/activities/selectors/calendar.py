"""Reads of the calendar: whose calendar one may open, the events of a time window (meetings and
tasks with a due time) for FullCalendar and the API, and a user's personal iCalendar feed.

A window is read with one query per kind, each a range on an index that starts with the person
or team and the time (``meeting_organizer_time`` / ``meeting_team_time``, ``participant_user``;
``task_assignee_due`` / ``task_team_due``); rows are read as values, never as model instances,
and whether the viewer may drag an event is computed in the same query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from rapport.activities.choices import OPEN_TASK_STATUSES, MeetingKind, MeetingStatus
from rapport.activities.models import Meeting, MeetingParticipant, Task
from rapport.activities.services.meetings import MAX_DURATION
from rapport.core import scoping
from rapport.core.errors import NotFound, ValidationError

MAX_WINDOW = datetime.timedelta(days=100)
TASK_MINUTES = 30  # how long a task's due time shows in the calendar
FEED_PAST = datetime.timedelta(days=60)
FEED_FUTURE = datetime.timedelta(days=366)
FEED_TASKS_PAST = datetime.timedelta(days=30)  # older overdue tasks are on the task list
FEED_LIMIT = 1000

COLOURS = {
    MeetingKind.MEETING: "#0d6efd",
    MeetingKind.CALL: "#6f42c1",
    "task": "#fd7e14",
    "cancelled": "#adb5bd",
    "held": "#198754",
}


# Whose calendar ---------------------------------------------------------------------------------
def calendar_users(viewer) -> QuerySet:
    """Users whose calendar ``viewer`` may open: their own and their team's; a head, their
    department's; a director, an administrator or an auditor, everyone's."""
    from rapport.accounts.models import User

    users = User.objects.filter(is_active=True)
    if viewer.sees_everything:
        return users
    if viewer.is_head_of_department:
        return users.filter(pk__in=viewer.department_user_ids)
    return users.filter(Q(pk=viewer.pk) | Q(team_id__in=viewer.team_ids))


def calendar_teams(viewer) -> QuerySet:
    """Teams whose calendar ``viewer`` may open: a head's department's, everyone's for those
    who see everything; none for the others (they open their colleagues' one by one)."""
    from rapport.accounts.models import Team

    if viewer.sees_everything:
        return Team.objects.all()
    if viewer.is_head_of_department:
        return Team.objects.filter(pk__in=viewer.department_team_ids)
    return Team.objects.none()


@dataclass(frozen=True)
class Whose:
    """The calendar shown: one user's or one team's."""

    user: object | None = None
    team: object | None = None


def whose_calendar(viewer, *, user_id=None, team_id=None) -> Whose:
    """The calendar asked for (the viewer's own by default); one the viewer may not open
    answers as if it did not exist."""
    try:
        if team_id not in (None, ""):
            team = calendar_teams(viewer).filter(pk=int(team_id)).first()
            if team is None:
                raise NotFound()
            return Whose(team=team)
        if user_id not in (None, "") and int(user_id) != viewer.pk:
            user = calendar_users(viewer).filter(pk=int(user_id)).first()
            if user is None:
                raise NotFound()
            return Whose(user=user)
    except (TypeError, ValueError):
        raise NotFound() from None
    return Whose(user=viewer)


# Windows and times ------------------------------------------------------------------------------
def parse_moment(value: str | None, *, field: str) -> datetime.datetime:
    """A time sent by the calendar: ISO 8601 with an offset, or without one (then in the site's
    time zone, as FullCalendar sends it), or a bare date (its midnight)."""
    value = (value or "").strip()
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2200:
        raise ValidationError({field: [_("Enter a valid date and time.")]})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_window(start: str | None, end: str | None) -> tuple[datetime.datetime, datetime.datetime]:
    begin, finish = parse_moment(start, field="start"), parse_moment(end, field="end")
    if finish <= begin:
        raise ValidationError({"end": [_("The end of the period must come after its start.")]})
    if finish - begin > MAX_WINDOW:
        raise ValidationError(
            {"end": [_("Show at most %(days)d days at a time.") % {"days": MAX_WINDOW.days}]}
        )
    return begin, finish


def local_iso(value: datetime.datetime) -> str:
    """The wall time in the site's time zone, without an offset: the calendar runs in that zone."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="seconds")


def _change_flag(model, viewer) -> Case | Value:
    """Whether the viewer may change the row, as a column of the same query."""
    if not scoping.may_write(viewer):
        return Value(False)
    if viewer.sees_everything:
        return Value(True)
    condition = model.scope.q_for(viewer, scoping.CHANGE)
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


_SENTINEL = 987654321


def url_maker(name: str):
    """pk -> the URL of route ``name``: reversed once, then filled in per row (a window of a
    team's month has thousands of events; reversing each cost more than reading them)."""
    try:
        pattern = reverse(name, args=[_SENTINEL])
    except NoReverseMatch:  # e.g. the task pages are not installed
        return lambda pk: ""
    head, tail = pattern.split(str(_SENTINEL), 1)
    return lambda pk: f"{head}{pk}{tail}"


def task_url(pk: int) -> str:
    return url_maker("activities:task_detail")(pk)


# Events of a window -----------------------------------------------------------------------------
def _meetings(viewer, whose: Whose, start, end) -> QuerySet:
    # A meeting overlaps the window when it starts before its end and ends after its start;
    # meetings last at most MAX_DURATION, so the start is bounded on both sides: an index range.
    in_window = Q(starts_at__lt=end, starts_at__gt=start - MAX_DURATION, ends_at__gt=start)
    if whose.team is not None:
        members = MeetingParticipant._base_manager.filter(user__team=whose.team)
        mine = Q(team=whose.team) | Q(pk__in=members.values("meeting_id"))
    else:
        taking_part = MeetingParticipant._base_manager.filter(user=whose.user)
        mine = Q(organizer=whose.user) | Q(pk__in=taking_part.values("meeting_id"))
    qs = Meeting.objects.all()
    if whose.user is None or whose.user.pk != viewer.pk:
        # One's own meetings (organized or taken part in) are in one's scope by definition.
        qs = qs.restrict(viewer)
    return qs.filter(in_window & mine)


def _tasks(viewer, whose: Whose, start, end) -> QuerySet:
    window = Q(status__in=OPEN_TASK_STATUSES, due_at__gte=start, due_at__lt=end)
    qs = Task.objects.all()
    if whose.team is not None:
        # Only teams whose tasks the viewer sees by their team (a head's department's, or
        # everyone's for those who see everything) can be asked for (``calendar_teams``):
        # the scope would add nothing but its subqueries.
        qs = qs.filter(window, team=whose.team)
    else:
        if whose.user.pk != viewer.pk:
            # One's own tasks are in one's scope by definition (OwnedScope of the assignee).
            qs = qs.restrict(viewer)
        qs = qs.filter(window, assignee=whose.user)
    return qs


def calendar_events(viewer, *, whose: Whose, start, end) -> list[dict]:
    """The events of the window in FullCalendar's format (also the API's): meetings and calls,
    then open tasks with a due time, each with the address to drag it to."""
    events: list[dict] = []
    meeting_url = url_maker("activities:meeting_detail")
    meeting_move = url_maker("activities:meeting_move")
    task_page = url_maker("activities:task_detail")
    task_move = url_maker("activities:calendar_task_move")
    meetings = (
        _meetings(viewer, whose, start, end)
        .annotate(may_change=_change_flag(Meeting, viewer))
        .order_by("starts_at", "pk")
        .values("pk", "title", "kind", "status", "starts_at", "ends_at", "place", "may_change")
    )
    for row in meetings:
        status = row["status"]
        colour = COLOURS.get(status, COLOURS.get(row["kind"], COLOURS[MeetingKind.MEETING]))
        planned = status == MeetingStatus.PLANNED
        events.append(
            {
                "id": f"meeting-{row['pk']}",
                "title": row["title"],
                "start": local_iso(row["starts_at"]),
                "end": local_iso(row["ends_at"]),
                "url": meeting_url(row["pk"]),
                "editable": bool(row["may_change"] and planned),
                "color": colour,
                "classNames": [f"ev-{row['kind']}", f"ev-{status}"],
                "extendedProps": {
                    "type": "meeting",
                    "kind": row["kind"],
                    "status": status,
                    "place": row["place"],
                    "moveUrl": meeting_move(row["pk"]),
                },
            }
        )
    tasks = (
        _tasks(viewer, whose, start, end)
        .annotate(may_change=_change_flag(Task, viewer))
        .order_by("due_at", "pk")
        .values("pk", "title", "due_at", "priority", "may_change")
    )
    for row in tasks:
        due = row["due_at"]
        events.append(
            {
                "id": f"task-{row['pk']}",
                "title": row["title"],
                "start": local_iso(due),
                "end": local_iso(due + datetime.timedelta(minutes=TASK_MINUTES)),
                "url": task_page(row["pk"]),
                "editable": bool(row["may_change"]),
                "durationEditable": False,
                "color": COLOURS["task"],
                "classNames": ["ev-task", f"ev-priority-{row['priority']}"],
                "extendedProps": {
                    "type": "task",
                    "priority": row["priority"],
                    "moveUrl": task_move(row["pk"]),
                },
            }
        )
    return events


# The personal iCalendar feed --------------------------------------------------------------------
def feed_items(user, *, now=None):
    """(meetings, participants by meeting id, tasks) of ``user``'s feed: the meetings they
    organize or take part in from two months back to a year ahead, and their open tasks with a
    due time. Three queries, whatever the number of meetings."""
    now = now or timezone.now()
    taking_part = MeetingParticipant._base_manager.filter(user=user).values("meeting_id")
    meetings = list(
        Meeting._base_manager.filter(
            Q(organizer=user) | Q(pk__in=taking_part),
            starts_at__gte=now - FEED_PAST,
            starts_at__lt=now + FEED_FUTURE,
        )
        .select_related("organizer")
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
    participants: dict[int, list] = {}
    rows = MeetingParticipant._base_manager.filter(meeting__in=[m.pk for m in meetings])
    for row in rows.select_related("user", "person").order_by("pk"):
        participants.setdefault(row.meeting_id, []).append(row)
    tasks = list(
        Task._base_manager.filter(
            assignee=user,
            status__in=OPEN_TASK_STATUSES,
            due_at__isnull=False,
            due_at__gte=now - FEED_TASKS_PAST,
            due_at__lt=now + FEED_FUTURE,
        ).order_by("due_at", "pk")[:FEED_LIMIT]
    )
    return meetings, participants, tasks
