"""URLs of the integration settings."""

from django.urls import path

from rapport.integrations import views

app_name = "integrations"

urlpatterns = [
    path("settings/webhooks/", views.WebhookListView.as_view(), name="webhook_list"),
    path("settings/webhooks/new/", views.WebhookFormView.as_view(), name="webhook_create"),
    path("settings/webhooks/<int:pk>/", views.WebhookFormView.as_view(), name="webhook_update"),
]
