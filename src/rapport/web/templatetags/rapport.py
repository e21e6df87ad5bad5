"""Template helpers: phone display, sort links, list cells."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from rapport.contacts.normalize import format_phone
from rapport.core.custom_fields import display_value
from rapport.web.forms_renderer import render_select_field

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
    return display_value((record.custom or {}).get(key))


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(str(key), "")


@register.simple_tag
def form_field(field, wrapper: str = "mb-3") -> str:
    """A field with its label, Bootstrap widget, errors and help text (every form uses this; a
    template include per field cost more than the rest of a list page)."""
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
    )
    if field.widget_type == "checkbox":
        return format_html(
            '<div class="{}"><div class="form-check"><input type="checkbox" name="{}" id="{}" '
            'class="form-check-input{}"{}><label class="form-check-label" for="{}">{}</label>'
            "{}</div></div>",
            wrapper,
            field.html_name,
            field.id_for_label,
            " is-invalid" if field.errors else "",
            mark_safe(" checked") if field.value() else "",
            field.id_for_label,
            field.label,
            errors,
        )
    return format_html(
        '<div class="{}"><label class="form-label" for="{}">{}{}</label>{}{}{}</div>',
        wrapper,
        field.id_for_label,
        field.label,
        mark_safe(' <span class="text-danger">*</span>') if field.field.required else "",
        bootstrap_widget(field),
        errors,
        format_html('<div class="form-text">{}</div>', field.help_text) if field.help_text else "",
    )


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
    attrs = {"class": css.strip()}
    return render_select_field(field, attrs) or field.as_widget(attrs=attrs)
