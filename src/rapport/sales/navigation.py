"""Top-bar and administration entries of the sales app."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Role

# Marketing and support hold no deals; they still see the leads they may be given.
WITHOUT_DEALS = {Role.MARKETER, Role.SUPPORT}


def items(user) -> list:
    entries = [(reverse("sales:lead_list"), _("Leads"), "funnel")]
    if user.role not in WITHOUT_DEALS:
        entries.append((reverse("sales:board_default"), _("Deals"), "kanban"))
    return entries


def admin_items(user) -> list:
    if not user.is_administrator:
        return []
    return [
        (reverse("sales:pipeline_list"), _("Pipelines and stages")),
        (reverse("sales:lost_reason_list"), _("Reasons for losing")),
        (reverse("sales:webform_admin"), _("Lead web forms")),
        (reverse("sales:distribution_rules"), _("Lead distribution rules")),
    ]
