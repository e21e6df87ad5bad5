"""Formatting of report cells by their kind, in the user's locale (one call per cell: a report
table can have thousands of them)."""

from datetime import date

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

DECIMALS = {"money": 2, "percent": 1, "days": 1, "int": 0}


@register.filter
def report_cell(cell) -> str:
    value, kind = cell.value, cell.kind
    if value is None:
        return mark_safe('<span class="text-secondary">—</span>')
    if kind in DECIMALS:
        text = number_format(value, DECIMALS[kind], force_grouping=True)
    elif kind == "quantity":
        text = number_format(
            value.normalize() if hasattr(value, "normalize") else value, None, force_grouping=True
        )
    elif kind == "date" and isinstance(value, date):
        text = date_format(value, "SHORT_DATE_FORMAT")
    else:
        text = str(value)
    if cell.url:
        return format_html('<a href="{}">{}</a>', cell.url, text)
    return format_html("{}", text)
