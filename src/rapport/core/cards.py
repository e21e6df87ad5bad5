"""Sections other apps add to a record's card: a customer's deals and documents on the company
and person cards, a deal's documents on the deal card.

An app declares them in ``<app>/cards.py``: ``SECTIONS = {"contacts.company": [render, ...]}``,
each ``render(request, obj, *, can_change) -> str`` (HTML, or "" when it has nothing to show).
The card's own app never imports the apps that extend it.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from django.utils.safestring import SafeString, mark_safe


@cache
def _sections() -> dict[str, list]:
    found: dict[str, list] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("rapport.") and module_has_submodule(config.module, "cards"):
            module = import_module(f"{config.name}.cards")
            # getattr: this registry is itself ``rapport.core.cards`` and declares no sections.
            for label, renderers in getattr(module, "SECTIONS", {}).items():
                found.setdefault(label, []).extend(renderers)
    return found


def card_sections(request, obj, *, can_change: bool) -> SafeString:
    """The HTML of every section the apps add to ``obj``'s card, in INSTALLED_APPS order."""
    renderers = _sections().get(obj._meta.label_lower, [])
    # Each renderer returns HTML it rendered from an escaping template.
    return mark_safe("".join(render(request, obj, can_change=can_change) for render in renderers))  # noqa: S308
