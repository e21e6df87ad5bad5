"""The safe condition language of automation rules, and the ``{{ field }}`` texts of actions.

A condition is data: ``{"field": "amount", "operator": ">=", "value": "1000"}``. The field must be
one of the record type's own columns (listed by :func:`condition_fields`); the operator one of
those its kind of field allows; the value is cleaned by the model field itself and stored in a
canonical form (foreign keys by id, choices by their stored value, dates as ISO text). Nothing
is evaluated as code: a condition becomes a small Python comparison of one attribute of the
record with the cleaned value, and a text's ``{{ name }}`` is replaced by the value of that one
field (no attribute access, no filters, no tags).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.automation.choices import UNARY, Match, Operator

TEXT, CHOICE, NUMBER, DATE, DATETIME, BOOLEAN, RELATION = (
    "text",
    "choice",
    "number",
    "date",
    "datetime",
    "boolean",
    "relation",
)
_ORDERED = [Operator.LT, Operator.LE, Operator.GT, Operator.GE]
_EMPTY = [Operator.EMPTY, Operator.NOT_EMPTY]
OPERATORS: dict[str, list[str]] = {
    TEXT: [Operator.EQ, Operator.NE, Operator.CONTAINS, Operator.IN, *_EMPTY],
    CHOICE: [Operator.EQ, Operator.NE, Operator.IN, *_EMPTY],
    NUMBER: [Operator.EQ, Operator.NE, *_ORDERED, Operator.IN, *_EMPTY],
    DATE: [Operator.EQ, Operator.NE, *_ORDERED, *_EMPTY],
    DATETIME: [*_ORDERED, *_EMPTY],
    BOOLEAN: [Operator.EQ, Operator.NE],
    RELATION: [Operator.EQ, Operator.NE, Operator.IN, *_EMPTY],
}
KIND_LABELS = {
    TEXT: gettext_lazy("text"),
    CHOICE: gettext_lazy("choice"),
    NUMBER: gettext_lazy("number"),
    DATE: gettext_lazy("date"),
    DATETIME: gettext_lazy("date and time"),
    BOOLEAN: gettext_lazy("yes/no"),
    RELATION: gettext_lazy("link"),
}
# Internal columns (search helpers, computed keys) are not offered.
HIDDEN_FIELDS = frozenset({"id", "search_text", "name_key", "name_prefix"})
MAX_CONDITIONS = 20
MAX_LIST_VALUES = 50
MAX_TEXT_VALUE = 500
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
RECORD_PLACEHOLDER = "record"


# The fields a rule may look at -------------------------------------------------------------------
def field_kind(field: models.Field) -> str | None:
    """The kind of a model field for conditions, or None when rules may not use it."""
    if field.name in HIDDEN_FIELDS or field.name.endswith("_md") or not field.concrete:
        return None
    if field.many_to_many or field.one_to_many:
        return None
    if field.is_relation:
        return RELATION
    if isinstance(field, models.JSONField | models.BinaryField | models.FileField):
        return None
    if field.choices:
        return CHOICE
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return NUMBER
    if isinstance(field, models.CharField | models.TextField):
        return TEXT
    return None


def condition_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The record type's own columns a condition (or a ``{{ placeholder }}``) may use."""
    return {
        field.name: field for field in model._meta.concrete_fields if field_kind(field) is not None
    }


def field_label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # FieldDoesNotExist: a field removed since the rule was saved
        return name


def tracked_fields(model: type[models.Model]) -> list[str]:
    """Fields whose changes the change log records (the only changes a rule can see)."""
    fields = condition_fields(model)
    tracked = getattr(model, "tracked_fields", None)
    if tracked is None:
        return [name for name in fields if name not in ("created_at", "updated_at")]
    return [name for name in tracked if name in fields]


# Values -------------------------------------------------------------------------------------------
def _invalid(field: models.Field, value: Any) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a valid value for “%(field)s”.")
        % {"value": str(value)[:60], "field": field.verbose_name}
    )


def clean_scalar(field: models.Field, value: Any, *, allow_empty: bool = False) -> Any:
    """One value for ``field``, cleaned by the field itself, in the form a rule stores it (JSON:
    foreign keys by id, choices by stored value, dates and decimals as text)."""
    kind = field_kind(field)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        if allow_empty and (field.null or field.blank):
            return None if field.null and kind != TEXT else ""
        raise ValidationError(_("Give a value for “%(field)s”.") % {"field": field.verbose_name})
    if isinstance(value, dict | list | tuple) or (isinstance(value, bool) and kind != BOOLEAN):
        raise _invalid(field, value)
    if kind == RELATION:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise _invalid(field, value) from None
        if pk <= 0 or not field.related_model._base_manager.filter(pk=pk).exists():
            raise ValidationError(
                _("There is no %(model)s with the id %(id)s.")
                % {"model": field.related_model._meta.verbose_name, "id": value}
            )
        return pk
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise _invalid(field, value)
    if kind == CHOICE:
        allowed = {str(key): key for key, _label in field.flatchoices if key not in (None, "")}
        if str(value) not in allowed:
            raise ValidationError(
                _("Choose a value of “%(field)s” from its list.") % {"field": field.verbose_name}
            )
        return allowed[str(value)]
    if kind == TEXT:
        text = str(value)
        if "\x00" in text:
            raise ValidationError(_("Text must not contain NUL characters."))
        limit = min(field.max_length or MAX_TEXT_VALUE, MAX_TEXT_VALUE)
        if len(text) > limit:
            raise ValidationError(
                _("“%(field)s” holds at most %(n)d characters.")
                % {"field": field.verbose_name, "n": limit}
            )
        return text
    try:
        cleaned = field.to_python(value)
    except ValidationError:
        raise _invalid(field, value) from None
    if cleaned is None:
        raise _invalid(field, value)
    if kind == NUMBER:
        if isinstance(cleaned, float) and cleaned != cleaned:  # NaN
            raise _invalid(field, value)
        if isinstance(cleaned, decimal.Decimal):
            if not cleaned.is_finite():
                raise _invalid(field, value)
            return str(cleaned)
        return cleaned
    if kind == DATETIME:
        if timezone.is_naive(cleaned):
            cleaned = timezone.make_aware(cleaned)
        return cleaned.isoformat()
    if kind == DATE:
        return cleaned.isoformat()
    raise _invalid(field, value)


def clean_field_value(field: models.Field, value: Any) -> Any:
    """A value a rule writes into ``field`` (the set-field action): cleaned as above, then checked
    by the field's own validators (a probability of 150 % is refused at save time)."""
    cleaned = clean_scalar(field, value, allow_empty=True)
    if cleaned in (None, "") or field.is_relation:
        return cleaned
    python = field.to_python(cleaned)
    try:
        field.run_validators(python)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not allowed for “%(field)s”: %(reason)s")
            % {"value": value, "field": field.verbose_name, "reason": " ".join(exc.messages)}
        ) from None
    return cleaned


def python_value(field: models.Field, stored: Any) -> Any:
    """A stored (JSON) value back as the Python value the field holds."""
    if stored is None:
        return None
    kind = field_kind(field)
    if kind == RELATION:
        return int(stored)
    if kind == DATETIME:
        return datetime.datetime.fromisoformat(stored)
    if kind == DATE:
        return datetime.date.fromisoformat(stored)
    if kind == NUMBER:
        return decimal.Decimal(str(stored))
    return stored


# Conditions ---------------------------------------------------------------------------------------
def clean_condition(model: type[models.Model], condition: Any) -> dict:
    """One condition checked against the model, in its stored form; else a ValidationError."""
    if not isinstance(condition, dict):
        raise ValidationError(_("A condition needs a field, an operator and a value."))
    name = condition.get("field")
    fields = condition_fields(model)
    if not isinstance(name, str) or name not in fields:
        raise ValidationError(
            _("“%(field)s” is not a field of %(model)s a rule can use.")
            % {"field": str(name)[:60], "model": model._meta.verbose_name_plural}
        )
    field = fields[name]
    kind = field_kind(field)
    operator = condition.get("operator")
    if operator not in OPERATORS[kind]:
        raise ValidationError(
            _("The operator “%(operator)s” cannot be used with “%(field)s” (a %(kind)s field).")
            % {
                "operator": str(operator)[:20],
                "field": field.verbose_name,
                "kind": KIND_LABELS[kind],
            }
        )
    value = condition.get("value")
    if operator in UNARY:
        cleaned = None
    elif operator == Operator.IN:
        items = value
        if isinstance(items, str):
            items = [item for item in (part.strip() for part in items.split(",")) if item]
        if not isinstance(items, list) or not items:
            raise ValidationError(
                _("Give the values of “%(field)s” to look for, separated by commas.")
                % {"field": field.verbose_name}
            )
        if len(items) > MAX_LIST_VALUES:
            raise ValidationError(_("At most %(n)d values.") % {"n": MAX_LIST_VALUES})
        cleaned = list(dict.fromkeys(clean_scalar(field, item) for item in items))
    else:
        cleaned = clean_scalar(field, value)
    return {"field": name, "operator": str(operator), "value": cleaned}


def clean_conditions(model: type[models.Model], conditions: Any) -> list[dict]:
    """All conditions of a rule; the errors name the condition by its number."""
    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ValidationError(_("Conditions must be a list."))
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError(_("A rule has at most %(n)d conditions.") % {"n": MAX_CONDITIONS})
    cleaned, errors = [], []
    for number, condition in enumerate(conditions, start=1):
        try:
            cleaned.append(clean_condition(model, condition))
        except ValidationError as exc:
            errors.extend(
                _("Condition %(n)d: %(error)s") % {"n": number, "error": message}
                for message in exc.messages
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _comparable(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == TEXT:
        return str(value).casefold()
    if kind == NUMBER:
        return decimal.Decimal(str(value))
    return value


def _predicate(model: type[models.Model], condition: dict) -> Callable[[Any], bool]:
    field = model._meta.get_field(condition["field"])
    kind = field_kind(field)
    attname = field.attname
    operator = condition["operator"]
    if operator == Operator.EMPTY:
        return lambda obj: getattr(obj, attname) in (None, "")
    if operator == Operator.NOT_EMPTY:
        return lambda obj: getattr(obj, attname) not in (None, "")
    if operator == Operator.IN:
        wanted = {_comparable(kind, python_value(field, v)) for v in condition["value"]}
        return lambda obj: _comparable(kind, getattr(obj, attname)) in wanted
    expected = _comparable(kind, python_value(field, condition["value"]))
    if operator == Operator.CONTAINS:
        return lambda obj: expected in (_comparable(kind, getattr(obj, attname)) or "")

    def compare(obj) -> bool:
        actual = _comparable(kind, getattr(obj, attname))
        if operator == Operator.EQ:
            return actual == expected
        if operator == Operator.NE:
            return actual != expected
        if actual is None:
            return False
        if operator == Operator.LT:
            return actual < expected
        if operator == Operator.LE:
            return actual <= expected
        if operator == Operator.GT:
            return actual > expected
        return actual >= expected

    return compare


def compile_conditions(
    model: type[models.Model], conditions: list[dict], match: str
) -> Callable[[Any], bool]:
    """A function telling whether a record meets the (already cleaned) conditions."""
    predicates = [_predicate(model, condition) for condition in conditions]
    if not predicates:
        return lambda obj: True
    if match == Match.ANY:
        return lambda obj: any(p(obj) for p in predicates)
    return lambda obj: all(p(obj) for p in predicates)


# Texts with placeholders --------------------------------------------------------------------------
def placeholders(model: type[models.Model]) -> list[str]:
    return [RECORD_PLACEHOLDER, *condition_fields(model)]


def clean_template(model: type[models.Model], text: Any, *, limit: int) -> str:
    """A text with ``{{ field }}`` placeholders, each naming one field of the record (or
    ``{{ record }}``, the record's name); anything else in braces is refused."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValidationError(_("Give a text."))
    if "\x00" in text:
        raise ValidationError(_("Text must not contain NUL characters."))
    if len(text) > limit:
        raise ValidationError(_("At most %(n)d characters.") % {"n": limit})
    allowed = set(placeholders(model))
    unknown = [name for name in PLACEHOLDER.findall(text) if name not in allowed]
    if unknown:
        raise ValidationError(
            _("“{{ %(name)s }}” is not a field of %(model)s.")
            % {"name": unknown[0], "model": model._meta.verbose_name_plural}
        )
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise ValidationError(
            _("Only placeholders of the form {{ field }} are allowed, with a field's name inside.")
        )
    return text


def display_value(obj: models.Model, name: str) -> str:
    if name == RECORD_PLACEHOLDER:
        return str(obj)
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    if value in (None, ""):
        return ""
    if field.is_relation:
        return str(getattr(obj, field.name))
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(formats.localize(value))


def render_template(obj: models.Model, text: str) -> str:
    """``text`` with each ``{{ field }}`` replaced by the record's value of that field."""
    fields = set(placeholders(type(obj)))

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return display_value(obj, name) if name in fields else ""

    return PLACEHOLDER.sub(replace, text or "")
