"""Columns of the company and person lists (which fields, labels and sort keys)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None


COMPANY_COLUMNS = [
    Column("name", pgettext_lazy("company", "Name"), "name"),
    Column("kind", _("Type"), "kind"),
    Column("industry", _("Industry")),
    Column("city", _("City")),
    Column("phone", _("Phone")),
    Column("curator", _("Curator"), "curator"),
    Column("last_contacted_at", _("Last contact"), "last_contacted_at"),
    Column("tags", _("Tags")),
]
COMPANY_SORTS = {
    "name": ("name", "id"),
    "kind": ("kind", "name", "id"),
    "curator": ("curator__last_name", "name", "id"),
    "last_contacted_at": ("last_contacted_at", "id"),
    "created_at": ("created_at", "id"),
}

PERSON_COLUMNS = [
    Column("name", _("Name"), "name"),
    Column("company", _("Company")),
    Column("position", _("Position")),
    Column("email", _("E-mail"), "email"),
    Column("phone", _("Phone")),
    Column("curator", _("Curator"), "curator"),
    Column("last_contacted_at", _("Last contact"), "last_contacted_at"),
    Column("tags", _("Tags")),
]
PERSON_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "email": ("email", "id"),
    "curator": ("curator__last_name", "last_name", "id"),
    "last_contacted_at": ("last_contacted_at", "id"),
    "created_at": ("created_at", "id"),
}
