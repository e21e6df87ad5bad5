"""Filters of the deal list and the board, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import user_select
from rapport.accounts.models import Team, User
from rapport.contacts.choices import Source
from rapport.contacts.filtersets import NamedFilter, UserFilter
from rapport.sales.choices import DealStatus
from rapport.sales.models import Deal, Pipeline, Stage


class DealFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    pipeline = NamedFilter(queryset=Pipeline.objects.all(), label=_("Pipeline"))
    stage = filters.ModelChoiceFilter(queryset=Stage.objects.all(), label=_("Stage"))
    status = filters.ChoiceFilter(choices=DealStatus.choices, label=_("Status"))
    owner = UserFilter(
        queryset=User.objects.filter(is_active=True), label=_("Owner"), widget=user_select()
    )
    team = NamedFilter(queryset=Team.objects.all(), label=_("Team"))
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Lead source"))
    campaign = filters.CharFilter(label=_("Campaign"))
    company = filters.NumberFilter(field_name="company_id", label=_("Company (id)"))
    person = filters.NumberFilter(field_name="person_id", label=_("Person (id)"))
    close_after = filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="gte",
        label=_("Expected close from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    close_before = filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="lte",
        label=_("Expected close until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Deal
        fields = ["pipeline", "stage", "status", "owner", "team", "source", "campaign"]


class BoardFilterSet(DealFilterSet):
    """The board is one pipeline: it filters by who and when, not by pipeline or stage."""

    class Meta:
        model = Deal
        fields = ["owner", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("pipeline", "stage", "status", "company", "person", "source", "campaign"):
            self.filters.pop(name, None)
