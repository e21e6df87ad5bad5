"""Processes app: business-process templates, their instances on records, deviations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "rapport.processes"
    label = "processes"
    verbose_name = _("Business processes")

    def ready(self) -> None:
        from rapport.core import events
        from rapport.processes.services.instances import on_task_done

        # A stage's task done (after its commit) moves the process on to the next stage.
        events.subscribe("task.done", on_task_done)
