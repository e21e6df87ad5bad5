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
