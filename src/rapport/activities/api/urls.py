"""API resources of the activities app, registered by rapport/api_urls.py."""

from rapport.activities.api.views import ActivityViewSet

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
# Tasks, meetings and hand-offs add theirs here.
ROUTES: list = [("activities", ActivityViewSet, "activity")]
PATHS: list = []
