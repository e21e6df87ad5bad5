"""Sales app: leads and their distribution, pipelines and stages, deals and the board."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "rapport.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # Register the job handlers: the lead import and the deal export.
        from rapport.sales import exports, imports  # noqa: F401
