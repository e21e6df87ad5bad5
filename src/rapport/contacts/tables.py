"""The company and person lists: their columns, sort keys, and the rows of one page.

A page shows 50 records. Building ~250 model instances for them (records, curators, roles,
companies, tags) and resolving ~2,000 template variables cost 40-60 ms of CPU per request, far
more than the database work. So a page's rows are read with ``values()``, each relation the
columns show with one more query for the whole page, and every cell is rendered by a small
function with ``format_html`` (escaped like a template would): about 2 ms for 50 rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import User
from rapport.contacts.choices import CompanyKind, Industry
from rapport.contacts.models import (
    Company,
    CompanyAddress,
    Employment,
    Person,
    full_name,
    needs_verification,
    stale_cutoff,
)
from rapport.contacts.normalize import format_phone
from rapport.contacts.selectors import tag_names_by_record
from rapport.core.custom_fields import display_value
from rapport.core.html import esc
from rapport.core.prepared import IdsQuery

Cell = Callable[[dict, "RowContext"], str]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None
    cell: Cell | None = field(default=None, compare=False, repr=False)


@dataclass
class RowContext:
    """What every row of one page shares: computed once per request, not per row."""

    detail_url: str  # with "{}" for the record's id
    stale_before: object
    date_format: str
    stale_title: str


@functools.lru_cache(maxsize=4096)
def _short_date(day, fmt: str) -> str:
    from django.utils.dateformat import format as date_format

    return date_format(day, fmt)


def short_date(value, ctx: RowContext) -> str:
    if value is None:
        return ""
    return _short_date(timezone.localtime(value).date(), ctx.date_format)


def _text(key: str) -> Cell:
    return lambda row, ctx: esc(row[key])


def _phone(row, ctx) -> str:
    return esc(format_phone(row["phone"]))


def _curator(row, ctx) -> str:
    if row["curator__username"] is None:
        return ""
    return esc(
        User.label_for(
            row["curator__first_name"], row["curator__last_name"], row["curator__username"]
        )
    )


def _last_contact(row, ctx) -> str:
    return short_date(row["last_contacted_at"], ctx)


def _tags(row, ctx) -> str:
    return " ".join(
        f'<span class="badge rounded-pill text-bg-light border">{esc(name)}</span>'
        for name in row["tags"]
    )


def _choice(key: str, labels) -> Cell:
    return lambda row, ctx: esc(labels.get(row[key], row[key]))


def _name_link(label: Callable[[dict], str]) -> Cell:
    def cell(row, ctx) -> str:
        link = f'<a href="{ctx.detail_url.format(row["pk"])}">{esc(label(row))}</a>'
        if needs_verification(row["verified_at"], ctx.stale_before):
            link += f' <i class="bi bi-clock-history stale-mark" title="{ctx.stale_title}"></i>'
        return link

    return cell


# What every customer list ends with: who is responsible, when we last talked, how it is tagged.
RESPONSIBILITY_COLUMNS = [
    Column("curator", _("Curator"), "curator", _curator),
    Column("last_contacted_at", _("Last contact"), "last_contacted_at", _last_contact),
    Column("tags", _("Tags"), None, _tags),
]
DATE_SORTS = {
    "last_contacted_at": ("last_contacted_at", "id"),
    "created_at": ("created_at", "id"),
}


class ListTable:
    """The columns of a list and how to read and render the rows of one page."""

    model = None
    columns: list[Column] = []
    sorts: dict[str, tuple[str, ...]] = {}
    fields: tuple[str, ...] = ()
    empty_message = ""

    def related(self, ids: list[int]) -> dict[str, dict[int, object]]:
        """Values of the page's relations, one query each: {row key: {record id: value}}."""
        return {"tags": tag_names_by_record(self.model, ids)}

    def rows(self, page_qs, *, with_custom: bool) -> list[dict]:
        fields = self.fields + (("custom",) if with_custom else ())
        rows = list(page_qs.values(*fields))
        related = self.related([row["pk"] for row in rows])
        for row in rows:
            for key, values in related.items():
                row[key] = values[row["pk"]]
        return rows

    def render_rows(self, rows: list[dict], *, can_write: bool, definitions) -> SafeString:
        if not rows:
            return format_html(
                '<tr><td colspan="20" class="text-secondary">{}</td></tr>', self.empty_message
            )
        ctx = RowContext(
            detail_url=self.model.url_pattern(),
            stale_before=stale_cutoff(),
            date_format=get_format("SHORT_DATE_FORMAT"),
            stale_title=esc(gettext("Needs verification")),
        )
        cells = [column.cell for column in self.columns]
        out = []
        for row in rows:
            parts = ["<tr>"]
            if can_write:
                parts.append(
                    '<td><input type="checkbox" class="form-check-input row-select" '
                    f'value="{row["pk"]}" aria-label="{esc(self.row_label(row))}"></td>'
                )
            for index, cell in enumerate(cells):
                css = "" if index == 0 else ' class="d-mobile-none"'
                parts.append(f"<td{css}>{cell(row, ctx)}</td>")
            for definition in definitions:
                value = display_value((row.get("custom") or {}).get(definition.key))
                parts.append(f'<td class="d-mobile-none">{esc(value)}</td>')
            parts.append("</tr>")
            out.append("".join(parts))
        # Every value above went through esc(); the rest is this module's own markup.
        return mark_safe("\n".join(out))  # noqa: S308

    def row_label(self, row: dict) -> str:
        raise NotImplementedError


class CompanyTable(ListTable):
    model = Company
    empty_message = _("No companies match.")
    fields = (
        "pk",
        "name",
        "kind",
        "industry",
        "phone",
        "curator__first_name",
        "curator__last_name",
        "curator__username",
        "last_contacted_at",
        "verified_at",
    )
    columns = [
        Column("name", pgettext_lazy("company", "Name"), "name", _name_link(lambda r: r["name"])),
        Column("kind", _("Type"), "kind", _choice("kind", dict(CompanyKind.choices))),
        Column("industry", _("Industry"), None, _choice("industry", dict(Industry.choices))),
        Column("city", _("City"), None, _text("city")),
        Column("phone", _("Phone"), None, _phone),
        *RESPONSIBILITY_COLUMNS,
    ]
    sorts = {
        "name": ("name", "id"),
        "kind": ("kind", "name", "id"),
        "curator": ("curator__last_name", "name", "id"),
        **DATE_SORTS,
    }

    cities = IdsQuery(
        lambda: CompanyAddress.objects.order_by("company_id", "pk").values_list(
            "company_id", "city"
        ),
        "company_id",
    )

    def related(self, ids):
        related = super().related(ids)
        related["city"] = self.cities.first(ids)
        return related

    def row_label(self, row):
        return row["name"]


def _person_name(row) -> str:
    return f"{row['last_name']} {row['first_name']}"


def _company(row, ctx) -> str:
    return conditional_escape(row["company"] or "")


class PersonTable(ListTable):
    model = Person
    empty_message = _("No people match.")
    fields = (
        "pk",
        "first_name",
        "middle_name",
        "last_name",
        "position",
        "email",
        "phone",
        "curator__first_name",
        "curator__last_name",
        "curator__username",
        "last_contacted_at",
        "verified_at",
    )
    columns = [
        Column("name", _("Name"), "name", _name_link(_person_name)),
        Column("company", _("Company"), None, _company),
        Column("position", _("Position"), None, _text("position")),
        Column("email", _("E-mail"), "email", _text("email")),
        Column("phone", _("Phone"), None, _phone),
        *RESPONSIBILITY_COLUMNS,
    ]
    sorts = {
        "name": ("last_name", "first_name", "id"),
        "email": ("email", "id"),
        "curator": ("curator__last_name", "last_name", "id"),
        **DATE_SORTS,
    }

    employers = IdsQuery(
        lambda: (
            Employment.objects.filter(is_primary=True)
            .order_by("person_id", "pk")
            .values_list("person_id", "company__name")
        ),
        "person_id",
    )

    def related(self, ids):
        related = super().related(ids)
        related["company"] = self.employers.first(ids)
        return related

    def row_label(self, row):
        return full_name(row["first_name"], row["middle_name"], row["last_name"])


COMPANY_SORTS = CompanyTable.sorts
PERSON_SORTS = PersonTable.sorts
