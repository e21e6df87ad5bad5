"""Navigation entries shown to the current user."""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


@cache
def _app_navigation() -> list:
    """Apps after the customer base add entries in ``<app>/navigation.py``: ``items(user)``
    returns (url, label, icon) tuples for the top bar (or ("", label, icon, [(url, label)]) for
    a menu), ``admin_items(user)`` (url, label)."""
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("rapport.") and module_has_submodule(config.module, "navigation"):
            modules.append(import_module(f"{config.name}.navigation"))
    return modules


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
    for module in _app_navigation():
        items += getattr(module, "items", lambda user: [])(user)
        admin += getattr(module, "admin_items", lambda user: [])(user)
    # An entry is (url, label, icon) or, for a menu, ("", label, icon, [(url, label), ...]).
    entries = [
        {
            "url": item[0],
            "label": item[1],
            "icon": item[2],
            "menu": item[3] if len(item) > 3 else [],
        }
        for item in items
    ]
    return {"nav_items": entries, "nav_admin": admin}
