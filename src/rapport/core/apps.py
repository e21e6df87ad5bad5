"""Core app: base models, row-level scoping, change log, events, custom fields, tags, jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rapport.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from rapport.core.api import schema  # noqa: F401  (registers the OpenAPI extension)
