"""Automation app: rules configured in the UI that act on records when something happens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "rapport.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from rapport.automation.handlers import on_event
        from rapport.core import events

        events.subscribe("*", on_event)
