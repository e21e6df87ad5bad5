"""URLs of the calendar, meetings and the personal iCalendar feed."""

from django.urls import path

from rapport.activities.views import calendar, meetings

urlpatterns = [
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path("calendar/events/", calendar.CalendarEventsView.as_view(), name="calendar_events"),
    path(
        "calendar/tasks/<int:pk>/move/",
        calendar.TaskMoveView.as_view(),
        name="calendar_task_move",
    ),
    path("calendar/feed/", calendar.CalendarFeedView.as_view(), name="calendar_feed"),
    path(
        "calendar/feed/new/", calendar.CalendarFeedIssueView.as_view(), name="calendar_feed_issue"
    ),
    path(
        "calendar/feed/revoke/",
        calendar.CalendarFeedRevokeView.as_view(),
        name="calendar_feed_revoke",
    ),
    path(
        "calendar/feed/<str:token>.ics",
        calendar.CalendarFeedIcsView.as_view(),
        name="calendar_feed_ics",
    ),
    path("meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
    path("meetings/<int:pk>/move/", calendar.MeetingMoveView.as_view(), name="meeting_move"),
    path("meetings/<int:pk>/cancel/", meetings.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("meetings/<int:pk>/held/", meetings.MeetingHeldView.as_view(), name="meeting_held"),
    path("meetings/<int:pk>/invite/", meetings.MeetingInviteView.as_view(), name="meeting_invite"),
    path("meetings/<int:pk>/answer/", meetings.MeetingAnswerView.as_view(), name="meeting_answer"),
    path("meetings/<int:pk>/delete/", meetings.MeetingDeleteView.as_view(), name="meeting_delete"),
    path("meetings/<int:pk>/ics/", meetings.MeetingIcsView.as_view(), name="meeting_ics"),
]
