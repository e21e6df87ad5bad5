"""Activities app: the timeline of calls, meetings, e-mails and notes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "rapport.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from rapport.activities.services.handoffs import on_task_done
        from rapport.core import events

        # Completing a handed-over task closes its hand-off (services/handoffs.py).
        events.subscribe("task.done", on_task_done)
