"""Filters of the proposal list, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import User
from rapport.orders.choices import ApprovalStatus, ProposalStatus
from rapport.orders.models import Proposal

# Sort keys the list and the API accept, and the (indexed) columns each sorts by.
PROPOSAL_SORTS = {"created": ("created_at", "id"), "number": ("number", "version", "id")}


def _by_id(name, label):
    # Plain ids: a choice of every deal or company would list records out of scope.
    return filters.NumberFilter(field_name=name, label=label, widget=forms.HiddenInput)


class ProposalFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_search", label=_("Number, title or customer"), max_length=100
    )
    status = filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("Status"))
    owner = filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True), label=_("Owner")
    )
    discount_approval = filters.ChoiceFilter(
        choices=ApprovalStatus.choices, label=_("Discount approval")
    )
    deal = _by_id("deal", _("Deal"))
    company = _by_id("company", _("Customer"))

    class Meta:
        model = Proposal
        fields = ["q", "status", "owner", "discount_approval", "deal", "company"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(company__name__icontains=value)
        )
