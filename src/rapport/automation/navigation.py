"""Administration entry of the automation app."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def admin_items(user) -> list[tuple[str, str]]:
    if not user.is_administrator:
        return []
    return [(reverse("automation:rule_list"), _("Automation rules"))]
