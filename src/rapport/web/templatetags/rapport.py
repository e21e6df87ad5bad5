"""Template helpers: phone display, sort links, list cells."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from rapport.contacts.normalize import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return format_phone(value or "")


@register.simple_tag
def sort_link(column, current: str, query: str) -> str:
    """A column header that toggles ascending / descending sorting."""
    if not column.sort:
        return format_html("{}", column.label)
    descending = current == column.sort
    target = f"-{column.sort}" if descending else column.sort
    arrow = ""
    if current.lstrip("-") == column.sort:
        arrow = " ▲" if not current.startswith("-") else " ▼"
    separator = "&" if query else ""
    return format_html(
        '<a href="?{}{}sort={}" class="link-body-emphasis text-decoration-none">{}{}</a>',
        query,
        separator,
        target,
        column.label,
        arrow,
    )


@register.simple_tag
def tag_badges(tags) -> str:
    return format_html_join(
        " ",
        '<span class="badge rounded-pill text-bg-light border">{}</span>',
        ((t.name,) for t in tags),
    )


@register.filter
def custom_value(record, key: str):
    value = (record.custom or {}).get(key)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else value


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(str(key), "")


@register.simple_tag
def bootstrap_widget(field) -> str:
    """Render a form field's widget with Bootstrap classes and the invalid state."""
    kind = field.widget_type
    css = {
        "select": "form-select",
        "nullbooleanselect": "form-select",
        "checkboxselectmultiple": "",
        "selectmultiple": "form-select",
    }
    css = css.get(kind, "form-control")
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css.strip()})
