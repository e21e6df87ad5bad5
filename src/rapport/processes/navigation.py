"""Top-bar entries of the processes app: the dashboard, analytics and the templates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(user) -> list:
    # Everyone: the dashboard shows the processes in the user's scope (executors included).
    return [
        (
            "",
            _("Processes"),
            "diagram-3",
            [
                (reverse("processes:dashboard"), _("Process dashboard")),
                (reverse("processes:analytics"), _("Process analytics")),
                (reverse("processes:template_list"), _("Process templates")),
            ],
        )
    ]
