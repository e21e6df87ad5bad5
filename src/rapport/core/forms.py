"""Form pieces shared by every app."""

from __future__ import annotations

import copy
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from rapport.core.prepared import Prepared

# Django's label of an empty choice (django.db.models.fields.BLANK_CHOICE_LABEL), which Django
# ships untranslated for lv, ru and uk: declared here so our catalogues carry its translation.
EMPTY_CHOICE_LABEL = _("- Select an option -")


class AutocompleteSelect(forms.Select):
    """A select that renders only the chosen option; the browser loads the rest on demand."""

    def __init__(self, url: str, attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-autocomplete": url})

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v not in (None, "")}
        if isinstance(self.choices, ModelChoiceIterator):
            # Read only the chosen rows, not the whole queryset (which may be a million rows),
            # and none at all when nothing is chosen.
            iterator = copy.copy(self.choices)
            field = iterator.field
            if not chosen:
                self.choices = [] if field.empty_label is None else [("", field.empty_label)]
            else:
                try:
                    iterator.queryset = iterator.queryset.filter(
                        **{f"{field.to_field_name or 'pk'}__in": chosen}
                    )
                    self.choices = [*iter(iterator)]  # list() would COUNT first, for its length
                except (ValueError, TypeError, ValidationError):
                    self.choices = []
        self.choices = [c for c in self.choices if str(c[0]) in chosen or c[0] == ""]
        return super().optgroups(name, value, attrs)


class ValuesChoiceIterator(ModelChoiceIterator):
    """Options read with ``values_list(*field.option_fields)`` and labelled by
    ``field.label_from_values(row)``: no model instance per option. A list page has two user
    selects (filter and bulk curator); with 150 users their instances cost more than the page.

    A field whose queryset is its whole table (``field.prepared_options`` set and no filter
    on the queryset) reads them by SQL compiled once (see ``core.prepared``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        prepared = getattr(self.field, "prepared_options", None)
        if prepared is not None and not self.queryset.query.where:
            rows = prepared.rows(self.queryset.db)
        else:
            rows = self.queryset.values_list(*self.field.option_fields)
        for row in rows:
            yield (row[0], self.field.label_from_values(row))


@functools.cache
def _named_options(model) -> Prepared:
    return Prepared(lambda: model.objects.order_by(*model._meta.ordering).values_list("pk", "name"))


class NamedOptions:
    """A choice of named reference records (teams, tags, territories, branches): options are
    (pk, name) in the model's order, read by SQL compiled once per model."""

    iterator = ValuesChoiceIterator
    option_fields = ("pk", "name")

    @staticmethod
    def label_from_values(row) -> str:
        return row[1]

    @property
    def prepared_options(self) -> Prepared:
        return _named_options(self.queryset.model)


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
