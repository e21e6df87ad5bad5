"""API resources of the processes app, registered by rapport/api_urls.py."""

from rapport.processes.api.views import ProcessTemplateViewSet, ProcessViewSet

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = [
    ("process-templates", ProcessTemplateViewSet, "process-template"),
    ("processes", ProcessViewSet, "process"),
]
PATHS: list = []
