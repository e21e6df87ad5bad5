"""API resources of the analytics app, registered by rapport/api_urls.py."""

from django.urls import path

from rapport.analytics.api.views import ForecastAPIView, report_view
from rapport.analytics.reports import REPORTS

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = []
PATHS: list = [
    path("forecast/", ForecastAPIView.as_view(), name="forecast"),
    *(
        path(
            f"reports/{name}/",
            report_view(name, report.title, report.description),
            name=f"report-{name}",
        )
        for name, report in REPORTS.items()
    ),
]
