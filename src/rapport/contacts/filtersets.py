"""Filters for company and person lists, shared by the web UI and the API."""

from __future__ import annotations

import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import UserOptions, user_select
from rapport.accounts.models import Branch, Team, Territory, User
from rapport.contacts.choices import (
    Channel,
    CompanyKind,
    CompanySize,
    ConsentChannel,
    Industry,
    Language,
    Source,
)
from rapport.contacts.models import Company, Person, stale_cutoff
from rapport.core import custom_fields
from rapport.core.custom_fields import definitions_for
from rapport.core.forms import NamedOptions
from rapport.core.models import CustomFieldType, Tag
from rapport.core.search import search_matches


class UserFilterField(UserOptions, filters.fields.ModelChoiceField):
    pass


class UserFilter(filters.ModelChoiceFilter):
    field_class = UserFilterField


class NamedFilterField(NamedOptions, filters.fields.ModelChoiceField):
    pass


class NamedFilter(filters.ModelChoiceFilter):
    """Teams, tags, territories, branches: options read without a model instance each."""

    field_class = NamedFilterField


class CustomerRecordFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_search", label=_("Search"))
    curator = UserFilter(
        queryset=User.objects.filter(is_active=True), label=_("Curator"), widget=user_select()
    )
    team = NamedFilter(queryset=Team.objects.all(), label=_("Team"))
    tag = NamedFilter(field_name="tags", queryset=Tag.objects.all(), label=_("Tag"))
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    is_stale = filters.BooleanFilter(
        method="filter_stale",
        label=_("Needs verification"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    created_after = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )
    custom_target = ""
    # Set by the search filter: the matches are few and the list sorts them itself (see
    # core.search.unindexed_order and FilteredListMixin.sorted_queryset).
    few_search_matches = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The search box first, then the record's own filters, then the shared ones.
        first = ["q"]
        self.filters = {
            name: self.filters[name] for name in first + [n for n in self.filters if n not in first]
        }
        # The memo of definitions serves the form; a request filtering by a custom field reads
        # the table, so a field defined a moment ago in another process filters at once.
        by_custom = custom_fields.named_in(self.data)
        for definition in definitions_for(self.custom_target, for_display=not by_custom):
            name = f"{custom_fields.PREFIX}{definition.key}"
            if definition.field_type == CustomFieldType.BOOLEAN:
                self.filters[name] = filters.BooleanFilter(
                    field_name=f"custom__{definition.key}", label=definition.label
                )
            elif definition.field_type == CustomFieldType.CHOICE:
                self.filters[name] = filters.ChoiceFilter(
                    field_name=f"custom__{definition.key}",
                    choices=[(c, c) for c in definition.choices or []],
                    label=definition.label,
                )
            elif definition.field_type == CustomFieldType.NUMBER:
                self.filters[name] = filters.NumberFilter(
                    field_name=f"custom__{definition.key}", label=definition.label
                )
            else:
                self.filters[name] = filters.CharFilter(
                    field_name=f"custom__{definition.key}", label=definition.label
                )

    def filter_search(self, queryset, name, value):
        found, self.few_search_matches = search_matches(queryset, value)
        return found

    def filter_stale(self, queryset, name, value):
        if value is None:
            return queryset
        stale = Q(verified_at__isnull=True) | Q(verified_at__lt=stale_cutoff())
        return queryset.filter(stale) if value else queryset.exclude(stale)


class CompanyFilterSet(CustomerRecordFilterSet):
    kind = filters.ChoiceFilter(choices=CompanyKind.choices, label=_("Type"))
    industry = filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    size = filters.ChoiceFilter(choices=CompanySize.choices, label=_("Size"))
    territory = NamedFilter(queryset=Territory.objects.all(), label=_("Territory"))
    branch = NamedFilter(queryset=Branch.objects.all(), label=_("Branch"))
    custom_target = "contacts.company"

    class Meta:
        model = Company
        fields = ["kind", "industry", "size", "territory", "branch", "curator", "team", "source"]


class PersonFilterSet(CustomerRecordFilterSet):
    company = filters.NumberFilter(
        field_name="employments__company", label=_("Company"), method="filter_company"
    )
    preferred_language = filters.ChoiceFilter(choices=Language.choices, label=_("Language"))
    preferred_channel = filters.ChoiceFilter(choices=Channel.choices, label=_("Preferred channel"))
    consent = filters.ChoiceFilter(
        choices=ConsentChannel.choices, method="filter_consent", label=_("Consent to")
    )
    birthday_within = filters.NumberFilter(
        method="filter_birthday", label=_("Birthday within (days)"), min_value=0, max_value=366
    )
    custom_target = "contacts.person"

    class Meta:
        model = Person
        fields = ["curator", "team", "source", "preferred_language", "preferred_channel"]

    def filter_company(self, queryset, name, value):
        return queryset.filter(employments__company_id=value)

    def filter_consent(self, queryset, name, value):
        return queryset.filter(consents__channel=value, consents__is_granted=True)

    def filter_birthday(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        days = [today + datetime.timedelta(days=i) for i in range(int(value) + 1)]
        return queryset.filter(birthday_md__in={d.month * 100 + d.day for d in days})
