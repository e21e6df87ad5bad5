"""Integrations app: outbound webhooks (signed, retried, recorded)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "rapport.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from rapport.core import events
        from rapport.integrations.services import queue_deliveries

        events.subscribe("*", queue_deliveries)
