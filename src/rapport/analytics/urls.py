"""Web routes of the analytics app."""

from django.urls import path

from rapport.analytics import views

app_name = "analytics"
urlpatterns = [
    path("analytics/forecast/", views.ForecastView.as_view(), name="forecast"),
    path("analytics/reports/", views.ReportIndexView.as_view(), name="report_index"),
    path("analytics/reports/<slug:name>/", views.ReportView.as_view(), name="report"),
]
