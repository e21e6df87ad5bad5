"""The REST API, version 1."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from rapport.activities.api.views import ActivityViewSet
from rapport.contacts.api.views import CompanyViewSet, ExportViewSet, ImportViewSet, PersonViewSet
from rapport.core.api.jobs import JobViewSet
from rapport.core.api.reference import (
    ChangeRecordViewSet,
    CustomFieldViewSet,
    TagViewSet,
    UserViewSet,
)
from rapport.integrations.api.views import WebhookViewSet


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False


router = Router()
router.register("companies", CompanyViewSet, basename="company")
router.register("people", PersonViewSet, basename="person")
router.register("activities", ActivityViewSet, basename="activity")
router.register("imports", ImportViewSet, basename="import")
router.register("exports", ExportViewSet, basename="export")
router.register("jobs", JobViewSet, basename="job")
router.register("users", UserViewSet, basename="user")
router.register("tags", TagViewSet, basename="tag")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("changes", ChangeRecordViewSet, basename="change")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
