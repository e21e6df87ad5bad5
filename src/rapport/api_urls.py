"""The REST API, version 1."""

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

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
router.register("imports", ImportViewSet, basename="import")
router.register("exports", ExportViewSet, basename="export")
router.register("jobs", JobViewSet, basename="job")
router.register("users", UserViewSet, basename="user")
router.register("tags", TagViewSet, basename="tag")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("changes", ChangeRecordViewSet, basename="change")
router.register("webhooks", WebhookViewSet, basename="webhook")


def _app_apis() -> list:
    """Each app's ``api/urls.py`` (ROUTES for the router, PATHS for plain views), in
    INSTALLED_APPS order: an app lists its resources beside its viewsets."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rapport."):
            continue
        if module_has_submodule(config.module, "api"):
            package = import_module(f"{config.name}.api")
            if module_has_submodule(package, "urls"):
                found.append(import_module(f"{config.name}.api.urls"))
    return found


APP_APIS = _app_apis()
for app_api in APP_APIS:
    for prefix, viewset, basename in app_api.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    *(p for app_api in APP_APIS for p in app_api.PATHS),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
