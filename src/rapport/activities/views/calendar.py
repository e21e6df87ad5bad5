"""The calendar page (FullCalendar), its events as JSON, dragging an event to another time, and
the personal iCalendar feed (its page and the secret address itself)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.activities import ics
from rapport.activities.models import CalendarFeed, Meeting, Task
from rapport.activities.selectors.calendar import (
    calendar_events,
    calendar_teams,
    calendar_users,
    feed_items,
    parse_moment,
    parse_window,
    whose_calendar,
)
from rapport.activities.services.calendar import (
    calendar_feed_find,
    calendar_feed_issue,
    calendar_feed_revoke,
    task_move_due,
)
from rapport.activities.services.meetings import meeting_reschedule
from rapport.core import scoping
from rapport.core.errors import DomainError, NotFound
from rapport.core.views import ScopedMixin, WriterRequiredMixin

# FullCalendar ships English; these have a locale file in web/static/vendor/fullcalendar/.
CALENDAR_LOCALES = {"ru", "uk", "lv"}


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


class CalendarView(LoginRequiredMixin, TemplateView):
    """One user's calendar (one's own by default) or one team's, in day, week and month views."""

    template_name = "activities/calendar.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            whose = whose_calendar(
                user,
                user_id=self.request.GET.get("user"),
                team_id=self.request.GET.get("team"),
            )
        except NotFound:
            raise Http404 from None
        language = (get_language() or "en").split("-")[0]
        users = list(calendar_users(user).order_by("last_name", "first_name", "pk"))
        params = {"team": whose.team.pk} if whose.team else {"user": whose.user.pk}
        view = self.request.GET.get("view", "")
        return {
            **super().get_context_data(**kwargs),
            "whose": whose,
            "calendar_users": users if len(users) > 1 else [],
            "calendar_teams": list(calendar_teams(user)),
            "events_params": params,
            "calendar_locale": language if language in CALENDAR_LOCALES else "",
            "language": language,
            "time_zone": settings.TIME_ZONE,
            "initial_view": view
            if view in ("timeGridDay", "timeGridWeek", "dayGridMonth")
            else "timeGridWeek",
            "initial_date": self.request.GET.get("date", "")[:10],
            "can_write": scoping.may_write(user),
        }


class CalendarEventsView(LoginRequiredMixin, View):
    """The events of a window (``?start=&end=``, FullCalendar's parameters) as JSON."""

    def get(self, request):
        try:
            whose = whose_calendar(
                request.user, user_id=request.GET.get("user"), team_id=request.GET.get("team")
            )
            start, end = parse_window(request.GET.get("start"), request.GET.get("end"))
        except NotFound:
            raise Http404 from None
        except ValidationError as exc:
            return JsonResponse({"error": _error_text(exc)}, status=400)
        return JsonResponse(
            calendar_events(request.user, whose=whose, start=start, end=end), safe=False
        )


class MoveView(WriterRequiredMixin, ScopedMixin, View):
    """An event dropped at another time: the service moves it, or says (translated) why not;
    the calendar then puts it back."""

    action = scoping.CHANGE

    def move(self, obj, start, end):
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_scoped_object()
        try:
            start = parse_moment(request.POST.get("start"), field="start")
            end = request.POST.get("end")
            end = parse_moment(end, field="end") if end else None
            self.move(obj, start, end)
        except NotFound:
            raise Http404 from None
        except (ValidationError, DomainError) as exc:
            return JsonResponse({"error": _error_text(exc)}, status=400)
        return JsonResponse({"ok": True, "message": _("Moved.")})


class MeetingMoveView(MoveView):
    model = Meeting

    def move(self, meeting, start, end):
        meeting_reschedule(actor=self.request.user, meeting=meeting, starts_at=start, ends_at=end)


class TaskMoveView(MoveView):
    model = Task

    def move(self, task, start, end):
        task_move_due(actor=self.request.user, task=task, due_at=start)


# The personal iCalendar feed ----------------------------------------------------------------------
def _feed_url(request, raw: str) -> str:
    return request.build_absolute_uri(reverse("activities:calendar_feed_ics", args=[raw]))


class CalendarFeedView(LoginRequiredMixin, TemplateView):
    """The user's secret calendar address: make one, make a new one, or stop it."""

    template_name = "activities/calendar_feed.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "feed": CalendarFeed.objects.restrict(self.request.user).first(),
        }


class CalendarFeedIssueView(LoginRequiredMixin, TemplateView):
    template_name = "activities/calendar_feed.html"

    def post(self, request):
        feed, raw = calendar_feed_issue(actor=request.user)
        url = _feed_url(request, raw)
        # Shown once: only the token's hash is kept.
        return self.render_to_response(
            {"feed": feed, "feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}
        )


class CalendarFeedRevokeView(LoginRequiredMixin, View):
    def post(self, request):
        if calendar_feed_revoke(actor=request.user):
            messages.success(request, _("The calendar address no longer works."))
        return redirect("activities:calendar_feed")


class CalendarFeedIcsView(View):
    """GET /calendar/feed/<token>.ics: no sign-in, the token is the key; an unknown or revoked
    token answers 404."""

    def get(self, request, token):
        user = calendar_feed_find(token)
        if user is None:
            raise Http404
        meetings, participants, tasks = feed_items(user, now=timezone.now())
        with translation.override(user.language or settings.LANGUAGE_CODE):
            name = _("Rapport: %(user)s") % {"user": user}
        body = ics.feed(name=name, meetings=meetings, participants_of=participants, tasks=tasks)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        response["X-Robots-Tag"] = "noindex"
        return response
