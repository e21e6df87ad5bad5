"""The deal list: its sort keys and the relations a row shows (read with the page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# key -> (columns); each ends with the id so that pages are stable.
DEAL_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "created_at": ("created_at", "id"),
    "expected_close_date": ("expected_close_date", "id"),
    "amount": ("amount", "id"),
    "stage_changed_at": ("stage_changed_at", "id"),
}
SORT_LABELS = {
    "name": _("Name"),
    "created_at": _("Created"),
    "expected_close_date": _("Expected close"),
    "amount": _("Amount"),
    "stage_changed_at": _("In stage since"),
}
# One query per page: a row shows these with the deal.
LIST_RELATED = ("pipeline", "stage", "company", "person", "owner")
