"""URLs of the web app's own pages."""

from django.urls import path

from rapport.web.views import admin, home

app_name = "web"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("search/", home.SearchView.as_view(), name="search"),
    path("changes/", admin.ChangeLogView.as_view(), name="changelog"),
    path("settings/", admin.SiteSettingsView.as_view(), name="site_settings"),
    path("settings/outbox/", admin.OutboxView.as_view(), name="outbox"),
    path("settings/custom-fields/", admin.CustomFieldsView.as_view(), name="custom_fields"),
    path(
        "settings/custom-fields/<int:pk>/",
        admin.CustomFieldsView.as_view(),
        name="custom_field_update",
    ),
]
