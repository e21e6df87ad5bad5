"""The Python-written selects and inputs are what Django's own widget templates produce."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from rapport.web.forms_renderer import FormRenderer

GROUPED = [("Baltics", [("lv", "Latvia"), ("lt", "Lithuania")]), ("ua", "Ukraine & <Co>")]


class EveryWidgetForm(forms.Form):
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "b"'}))
    amount = forms.IntegerField(required=False)
    email = forms.EmailField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    country = forms.ChoiceField(choices=GROUPED, required=False)
    several = forms.MultipleChoiceField(choices=GROUPED, required=False)
    maybe = forms.NullBooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "name": '<script>alert("x")</script> & co',
            "amount": "12",
            "email": "a@b.lv",
            "day": "2026-11-23",
            "secret": "x'y",
            "agree": "on",
            "country": "lt",
            "several": ["lv", "ua"],
            "maybe": "true",
            "note": "<b>",
        },
    ],
)
def test_every_field_renders_exactly_as_django_templates_do(data):
    initial = {"day": datetime.date(2026, 1, 2), "country": "ua"}
    ours = EveryWidgetForm(data, initial=initial, renderer=FormRenderer())
    django = EveryWidgetForm(data, initial=initial, renderer=DjangoTemplates())
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name
    if data:
        assert "&lt;script&gt;" in str(ours["name"])
        assert 'value="lt" selected' in str(ours["country"])


class SelectsForm(forms.Form):
    country = forms.ChoiceField(choices=[(None, "—"), *GROUPED], required=False)
    required_one = forms.ChoiceField(choices=[("", "pick"), ("a", "A & <b>")])
    numbers = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int, initial=2)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"country": "lv", "required_one": "", "numbers": "1"}])
def test_the_select_fast_path_writes_what_the_widget_would(data, world):
    from rapport.contacts.filtersets import CompanyFilterSet
    from rapport.web.forms_renderer import render_select_field

    form = SelectsForm(data, renderer=FormRenderer())
    filters = CompanyFilterSet({"kind": "customer", "team": str(world.teams["a"].pk)}).form
    bound_fields = [form[name] for name in form.fields]
    bound_fields += [filters[name] for name in ("kind", "team", "tag", "source", "territory")]
    if data:
        form.full_clean()  # errors do not change the select itself
    for bound in bound_fields:
        attrs = {"class": "form-select"}
        assert render_select_field(bound, attrs) == bound.as_widget(attrs=attrs), bound.name
    assert render_select_field(form["country"], {}) is not None
    assert render_select_field(filters["curator"], {}) is None  # an autocomplete: its own path


@pytest.mark.django_db
def test_named_filter_options_are_the_table_in_order_and_new_ones_show_at_once(world):
    from rapport.accounts.models import Team
    from rapport.contacts.filtersets import CompanyFilterSet
    from rapport.core.models import Tag

    def options(name):
        return [(str(v), label) for v, label in CompanyFilterSet({}).form.fields[name].choices]

    teams = options("team")
    assert teams[1:] == [(str(t.pk), t.name) for t in Team.objects.order_by("name")]
    assert len(teams) > 2
    Tag.objects.create(name="zz newest")
    Tag.objects.create(name="aa oldest")
    tags = [label for _v, label in options("tag")[1:]]
    assert tags == sorted(Tag.objects.values_list("name", flat=True)) and "aa oldest" in tags
