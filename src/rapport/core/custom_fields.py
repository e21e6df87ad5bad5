"""Administrator-defined fields: one definition table, one JSON column per extensible model."""

from __future__ import annotations

import datetime
import decimal
import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from rapport.core.models import CustomFieldDefinition, CustomFieldType

MEMO_SECONDS = 10
PREFIX = "cf_"  # form fields, filters, import columns: cf_<key>
_memo: dict[str, tuple[float, list[CustomFieldDefinition]]] = {}


def definitions_for(target: str, *, for_display: bool = False) -> list[CustomFieldDefinition]:
    """The custom fields of a record type, in their order.

    ``for_display=True`` (list columns, filter forms, the card) may answer from a memo of up to
    MEMO_SECONDS: every list page asks, and an administrator rarely changes them. A change made in
    this process is seen at once (``forget_definitions``); other processes see it within
    MEMO_SECONDS. Validation always reads the table, so a value for a field defined a moment ago
    in another process is never refused."""
    now = time.monotonic()
    memo = _memo.get(target)
    if for_display and memo is not None and now - memo[0] < MEMO_SECONDS:
        return list(memo[1])
    definitions = list(
        CustomFieldDefinition.objects.filter(target=target).order_by("position", "pk")
    )
    _memo[target] = (now, definitions)
    return list(definitions)


def named_in(params) -> bool:
    """Whether request parameters name a custom field (``cf_<key>``)."""
    return any(name.startswith(PREFIX) for name in params)


def forget_definitions() -> None:
    _memo.clear()


def display_value(value: Any) -> str:
    """A stored custom value as a list or card shows it."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "on", "да", "так", "jā", "ja"}:
        return True
    if text in {"0", "false", "no", "n", "off", "нет", "ні", "nē", "ne"}:
        return False
    return None


def clean_value(definition: CustomFieldDefinition, value: Any) -> Any:
    """Convert one raw value to its stored JSON form, or raise a translated ValidationError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if definition.is_required:
            raise ValidationError(_("%(field)s is required.") % {"field": definition.label})
        return None
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        text = str(value).strip()
        if "\x00" in text:
            raise ValidationError(_("Text must not contain NUL characters."))
        if len(text) > 1000:
            raise ValidationError(
                _("%(field)s is too long (at most 1000 characters).") % {"field": definition.label}
            )
        return text
    if kind == CustomFieldType.NUMBER:
        try:
            number = decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation:
            raise ValidationError(
                _("%(field)s must be a number.") % {"field": definition.label}
            ) from None
        if not number.is_finite():
            raise ValidationError(_("%(field)s must be a number.") % {"field": definition.label})
        return float(number) if number != number.to_integral_value() else int(number)
    if kind == CustomFieldType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        parsed = None
        try:
            parsed = parse_date(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(
                _("%(field)s must be a date (YYYY-MM-DD).") % {"field": definition.label}
            )
        return parsed.isoformat()
    if kind == CustomFieldType.BOOLEAN:
        flag = _truthy(value)
        if flag is None:
            raise ValidationError(_("%(field)s must be yes or no.") % {"field": definition.label})
        return flag
    if kind == CustomFieldType.CHOICE:
        text = str(value).strip()
        if text not in (definition.choices or []):
            raise ValidationError(
                _("%(value)s is not one of the choices of %(field)s.")
                % {"value": text, "field": definition.label}
            )
        return text
    raise ValidationError(_("Unknown field type."))


def clean_values(
    target: str, raw: dict[str, Any] | None, *, partial: bool = False, existing: dict | None = None
) -> dict[str, Any]:
    """Validate a dict of custom values; unknown keys are an error, errors are collected by key."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationError({"custom_fields": _("Custom fields must be an object.")})
    definitions = {d.key: d for d in definitions_for(target)}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in definitions:
            errors[str(key)] = [_("There is no custom field with this key.")]
    result = dict(existing or {})
    for key, definition in definitions.items():
        if partial and key not in raw:
            continue
        try:
            value = clean_value(definition, raw.get(key))
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if errors:
        raise ValidationError(errors)
    return result


def form_field(definition: CustomFieldDefinition) -> forms.Field:
    common = {"label": definition.label, "required": definition.is_required}
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(**common)
    if kind == CustomFieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldType.BOOLEAN:
        return forms.BooleanField(**{**common, "required": False})
    if kind == CustomFieldType.CHOICE:
        choices = [("", "—")] + [(c, c) for c in definition.choices or []]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=1000, **common)


class CustomFieldsFormMixin:
    """Adds ``cf_<key>`` fields to a ModelForm whose model has a ``custom`` JSON column."""

    custom_target: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_definitions = definitions_for(self.custom_target)
        existing = getattr(self.instance, "custom", None) or {}
        for definition in self.custom_definitions:
            name = f"{PREFIX}{definition.key}"
            self.fields[name] = form_field(definition)
            if definition.key in existing:
                self.initial.setdefault(name, existing[definition.key])

    def custom_values(self) -> dict[str, Any]:
        values = {}
        for definition in self.custom_definitions:
            value = self.cleaned_data.get(f"{PREFIX}{definition.key}")
            if isinstance(value, decimal.Decimal | datetime.date):
                value = str(value)
            values[definition.key] = value
        return values
