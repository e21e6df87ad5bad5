"""The form renderer: Django's templates, except the two widgets every page has many of.

Rendering a ``<select>`` through templates costs one template include per option: a filter form
with a curator list of 150 users took 30 ms. Selects and plain inputs are therefore written
here, producing exactly what Django's ``select.html`` / ``input.html`` produce (same attributes,
same escaping); every other widget keeps its template.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from rapport.core.html import esc

INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}


def _attrs(attrs: dict) -> str:
    """``attrs.html``: False leaves the attribute out, True writes its bare name."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{esc(value)}"')
    return "".join(out)


def render_input(widget: dict) -> str:
    value = widget["value"]
    value_attr = "" if value is None else f' value="{esc(value)}"'
    return (
        f'<input type="{esc(widget["type"])}" '
        f'name="{esc(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'
    )


def render_select(widget: dict) -> str:
    out = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{esc(option["value"])}"'
                f"{_attrs(option['attrs'])}>{esc(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == "django/forms/widgets/select.html":
            return mark_safe(render_select(context["widget"]))  # noqa: S308 - escaped above
        if template_name in INPUT_TEMPLATES:
            return mark_safe(render_input(context["widget"]))  # noqa: S308 - escaped above
        return super().render(template_name, context, request)
