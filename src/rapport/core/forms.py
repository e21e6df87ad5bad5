"""Form pieces shared by every app."""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _


class AutocompleteSelect(forms.Select):
    """A select that renders only the chosen option; the browser loads the rest on demand."""

    def __init__(self, url: str, attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-autocomplete": url})

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v not in (None, "")}
        if isinstance(self.choices, ModelChoiceIterator):
            # Read only the chosen rows, not the whole queryset (which may be a million rows).
            iterator = copy.copy(self.choices)
            field = iterator.field
            try:
                iterator.queryset = iterator.queryset.filter(
                    **{f"{field.to_field_name or 'pk'}__in": chosen}
                )
                self.choices = list(iterator)
            except (ValueError, TypeError, ValidationError):
                self.choices = []
        self.choices = [c for c in self.choices if str(c[0]) in chosen or c[0] == ""]
        return super().optgroups(name, value, attrs)


class ValuesChoiceIterator(ModelChoiceIterator):
    """Options read with ``values_list(*field.option_fields)`` and labelled by
    ``field.label_from_values(row)``: no model instance per option. A list page has two user
    selects (filter and bulk curator); with 150 users their instances cost more than the page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset.values_list(*self.field.option_fields):
            yield (row[0], self.field.label_from_values(row))


class ScopedModelChoiceField(forms.ModelChoiceField):
    """A choice among the records the user may see; the queryset is restricted by the form."""

    default_error_messages = {
        "invalid_choice": _("Choose a record from the list; that one is not available."),
    }


def split_lines(text: str) -> list[str]:
    """Values typed one per line or separated by commas or semicolons."""
    items = []
    for chunk in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        chunk = chunk.strip()
        if chunk:
            items.append(chunk)
    return items


class TagsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("help_text", _("Separate tags with commas."))
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_lines(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value
