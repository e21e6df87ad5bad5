"""The form renderer: Django's templates, except the two widgets every page has many of.

Rendering a ``<select>`` through templates costs one template include per option: a filter form
with a curator list of 150 users took 30 ms. Selects and plain inputs are therefore written
here, producing exactly what Django's ``select.html`` / ``input.html`` produce (same attributes,
same escaping); every other widget keeps its template.
"""

from __future__ import annotations

from django import forms
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


def render_select_field(bound, attrs: dict) -> str | None:
    """``bound.as_widget(attrs=attrs)`` for a plain ``Select``, without the option dictionaries.

    Django builds a dictionary of a dozen keys per option (``ChoiceWidget.create_option``) before
    the renderer sees it; a filter form's selects spent more time there than in writing the
    HTML. This follows ``BoundField.as_widget`` and ``ChoiceWidget.optgroups`` step by step and
    returns None for any other widget (subclasses may change options, values or attributes)."""
    widget = bound.field.widget
    if type(widget) is not forms.Select:
        return None
    attrs = bound.build_widget_attrs(dict(attrs), widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    value = widget.format_value(bound.value())
    out = [
        f'<select name="{esc(bound.html_name)}"{_attrs(widget.build_attrs(widget.attrs, attrs))}>'
    ]
    has_selected = False
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        grouped = isinstance(option_label, list | tuple)
        if grouped:
            out.append(f'\n  <optgroup label="{esc(option_value)}">')
        for subvalue, sublabel in option_label if grouped else [(option_value, option_label)]:
            selected = not has_selected and str(subvalue) in value
            has_selected |= selected
            out.append(
                f'\n  <option value="{esc(subvalue)}"{" selected" if selected else ""}>'
                f"{esc(sublabel)}</option>\n"
            )
        if grouped:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - escaped above


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == "django/forms/widgets/select.html":
            return mark_safe(render_select(context["widget"]))  # noqa: S308 - escaped above
        if template_name in INPUT_TEMPLATES:
            return mark_safe(render_input(context["widget"]))  # noqa: S308 - escaped above
        return super().render(template_name, context, request)
