"""Top-level URLs."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("rapport.api_urls", "api"), namespace="api")),
    path("", include("rapport.accounts.urls")),
    path("", include("rapport.contacts.urls")),
    path("", include("rapport.activities.urls")),
    path("", include("rapport.integrations.urls")),
    path("", include("rapport.catalog.urls")),
    path("", include("rapport.sales.urls")),
    path("", include("rapport.orders.urls")),
    path("", include("rapport.processes.urls")),
    path("", include("rapport.analytics.urls")),
    path("", include("rapport.automation.urls")),
    path("", include("rapport.web.urls")),
]
