"""Web app: base layout, navigation, home page, global search and administration screens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "rapport.web"
    label = "web"
    verbose_name = _("Web interface")
