"""Reads shared by the screens and the API: related values for a page of records at once."""

from __future__ import annotations

from collections import defaultdict

from rapport.contacts.models import CustomerRecord


def tag_names_by_record(model: type[CustomerRecord], ids: list[int]) -> dict[int, list[str]]:
    """{record id: its tag names in alphabetical order} in one query (a missing id reads [])."""
    through = model.tags.through
    owner = f"{model._meta.model_name}_id"
    names = defaultdict(list)
    for record_id, name in (
        through.objects.filter(**{f"{owner}__in": ids})
        .order_by("tag__name")
        .values_list(owner, "tag__name")
    ):
        names[record_id].append(name)
    return names
