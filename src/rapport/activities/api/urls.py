"""API resources of the activities app, registered by rapport/api_urls.py."""

from django.urls import path

from rapport.activities.api.calendar import CalendarEventsAPIView, MeetingViewSet
from rapport.activities.api.handoffs import HandoffViewSet
from rapport.activities.api.tasks import NotificationViewSet, TaskViewSet
from rapport.activities.api.views import ActivityViewSet

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
# Tasks, meetings and hand-offs add theirs here.
ROUTES: list = [
    ("activities", ActivityViewSet, "activity"),
    ("tasks", TaskViewSet, "task"),
    ("notifications", NotificationViewSet, "notification"),
    ("handoffs", HandoffViewSet, "handoff"),
    ("meetings", MeetingViewSet, "meeting"),
]
PATHS: list = [
    path("calendar/events/", CalendarEventsAPIView.as_view(), name="calendar-events"),
]
