"""Navigation entries shown to the current user."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        (reverse("contacts:company_list"), _("Companies"), "building"),
        (reverse("contacts:person_list"), _("People"), "people"),
    ]
    admin = []
    if user.can_read_change_log:
        admin.append((reverse("web:changelog"), _("Change log")))
    if user.is_administrator:
        admin += [
            (reverse("accounts:user_list"), _("Users")),
            (reverse("web:custom_fields"), _("Custom fields")),
            (reverse("web:site_settings"), _("Settings")),
            (reverse("web:outbox"), _("Outbox")),
            (reverse("integrations:webhook_list"), _("Webhooks")),
        ]
    return {"nav_items": items, "nav_admin": admin}
