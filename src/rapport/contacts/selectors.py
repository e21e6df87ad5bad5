"""Reads shared by the screens and the API: related values for a page of records at once."""

from __future__ import annotations

from rapport.contacts.models import CustomerRecord
from rapport.core.prepared import IdsQuery

_TAGS: dict[type, IdsQuery] = {}


def tag_names_by_record(model: type[CustomerRecord], ids: list[int]) -> dict[int, list[str]]:
    """{record id: its tag names in alphabetical order} in one query (a missing id reads [])."""
    if model not in _TAGS:
        through = model.tags.through
        owner = f"{model._meta.model_name}_id"
        _TAGS[model] = IdsQuery(
            lambda: through.objects.order_by("tag__name").values_list(owner, "tag__name"), owner
        )
    return _TAGS[model].grouped(ids)
