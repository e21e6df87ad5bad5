"""Filters of the meeting list (API): a time window, organizer, participant, record, customer."""

import django_filters as filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from rapport.activities.choices import MeetingKind, MeetingStatus
from rapport.activities.models import Meeting, MeetingParticipant
from rapport.core import records


class MeetingFilterSet(filters.FilterSet):
    starts_after = filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label=_("Starts at or after")
    )
    starts_before = filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label=_("Starts before")
    )
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    participant = filters.NumberFilter(
        method="filter_participant", label=_("A colleague taking part (user id)")
    )
    record = filters.CharFilter(
        method="filter_record", label=_("The record it is about (app_label.model:id)")
    )

    class Meta:
        model = Meeting
        fields = ["organizer", "team", "company", "person"]

    def filter_participant(self, queryset, name, value):
        links = MeetingParticipant._base_manager.filter(user_id=value).values("meeting_id")
        return queryset.filter(pk__in=links)

    def filter_record(self, queryset, name, value):
        label, _sep, pk = (value or "").partition(":")
        kind = records.record_type(label)
        try:
            object_id = int(pk)
        except ValueError:
            return queryset.none()
        if kind is None:
            return queryset.none()
        content_type = ContentType.objects.get_for_model(kind.model, for_concrete_model=True)
        return queryset.filter(content_type=content_type, object_id=object_id)
