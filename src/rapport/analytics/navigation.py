"""Top-bar entry of the analytics app: the forecast and the reports."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Role

# Marketing and support see no deals: the entry would lead them to empty reports.
WITHOUT_DEALS = {Role.MARKETER, Role.SUPPORT}


def items(user) -> list:
    if user.role in WITHOUT_DEALS and not user.is_superuser:
        return []
    return [(reverse("analytics:report_index"), _("Reports"), "graph-up")]
