"""The REST API, version 1."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from rapport.activities.api.views import ActivityViewSet
from rapport.analytics.api import urls as analytics_api
from rapport.catalog.api import urls as catalog_api
from rapport.contacts.api.views import CompanyViewSet, ExportViewSet, ImportViewSet, PersonViewSet
from rapport.core.api.jobs import JobViewSet
from rapport.core.api.reference import (
    ChangeRecordViewSet,
    CustomFieldViewSet,
    TagViewSet,
    UserViewSet,
)
from rapport.integrations.api.views import WebhookViewSet
from rapport.orders.api import urls as orders_api
from rapport.sales.api import urls as sales_api


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
# The sales apps list their resources beside their viewsets (api/urls.py: ROUTES, PATHS).
for app_api in (catalog_api, sales_api, orders_api, analytics_api):
    for prefix, viewset, basename in app_api.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    *(p for app_api in (catalog_api, sales_api, orders_api, analytics_api) for p in app_api.PATHS),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
