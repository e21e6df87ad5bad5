"""Reads shared by the screens and the API: related values for a page of records at once."""

from __future__ import annotations

import functools

from rapport.contacts.models import CustomerRecord
from rapport.core.prepared import IdsQuery


@functools.cache
def _tags(model: type[CustomerRecord]) -> IdsQuery:
    through = model.tags.through
    owner = f"{model._meta.model_name}_id"
    return IdsQuery(
        lambda: through.objects.order_by("tag__name").values_list(owner, "tag__name"), owner
    )


def tag_names_by_record(model: type[CustomerRecord], ids: list[int]) -> dict[int, list[str]]:
    """{record id: its tag names in alphabetical order} in one query (a missing id reads [])."""
    return _tags(model).grouped(ids)
