"""Filters of the activity list (API)."""

import django_filters as filters

from rapport.activities.choices import ActivityKind
from rapport.activities.models import Activity


class ActivityFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    occurred_after = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ["kind", "company", "person", "owner"]
