"""Filters of the lead list and the lead queue, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import user_select
from rapport.accounts.models import Team, User
from rapport.contacts.choices import Source
from rapport.contacts.filtersets import NamedFilter, UserFilter
from rapport.sales.choices import LeadStatus
from rapport.sales.models import Lead, LeadWebForm

# Lead sorts: name -> the fields ordered by (each served by one of Lead's indexes, with the
# created date last so the order is stable).
LEAD_SORTS = {
    "created_at": ("created_at", "id"),
    "status": ("status", "created_at", "id"),
    "source": ("source", "created_at", "id"),
    "campaign": ("campaign", "id"),
    "email": ("email", "id"),
    "company_name": ("company_name", "id"),
    "last_name": ("last_name", "first_name", "id"),
}


class LeadFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_search", label=_("Search"))
    status = filters.ChoiceFilter(choices=LeadStatus.choices, label=_("Status"))
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    campaign = filters.CharFilter(field_name="campaign", label=_("Campaign"))
    owner = UserFilter(queryset=User.objects.all(), label=_("Assigned to"), widget=user_select())
    unassigned = filters.BooleanFilter(
        field_name="owner",
        lookup_expr="isnull",
        label=_("Not assigned"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    team = NamedFilter(queryset=Team.objects.all(), label=_("Team"))
    web_form = NamedFilter(queryset=LeadWebForm.objects.all(), label=_("Web form"))
    created_after = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )

    class Meta:
        model = Lead
        fields = ["status", "source", "campaign", "owner", "team", "web_form"]

    def filter_search(self, queryset, name, value):
        term = " ".join((value or "").replace("\x00", "").split())[:100]
        if not term:
            return queryset
        q = Q()
        for field in ("company_name", "first_name", "last_name", "email", "phone"):
            q |= Q(**{f"{field}__icontains": term})
        parts = term.split(" ", 1)
        if len(parts) == 2:  # "Anna Berzina" or "Berzina Anna"
            q |= Q(first_name__icontains=parts[0], last_name__icontains=parts[1])
            q |= Q(first_name__icontains=parts[1], last_name__icontains=parts[0])
        return queryset.filter(q)
