"""Filters of the hand-off lists, shared by the "Hand-offs" page and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.activities.choices import OPEN_HANDOFF_STATUSES, HandoffStatus
from rapport.activities.models import Handoff

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
INCOMING, OUTGOING = "incoming", "outgoing"
OPEN = "open"

# Sort keys the API accepts and the (indexed) columns each sorts by.
HANDOFF_SORTS = {"deadline": ("deadline", "id"), "created": ("created_at", "id")}


def overdue_q(now=None) -> Q:
    return Q(status__in=OPEN_HANDOFF_STATUSES, deadline__lt=now or timezone.now())


class HandoffFilterSet(filters.FilterSet):
    direction = filters.ChoiceFilter(
        choices=[
            (INCOMING, _("Incoming: to my department")),
            (OUTGOING, _("Outgoing: sent by me")),
        ],
        method="filter_direction",
        label=_("Direction"),
    )
    status = filters.ChoiceFilter(
        choices=[(OPEN, _("open (waiting or acknowledged)")), *HandoffStatus.choices],
        method="filter_status",
        label=_("Status"),
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=forms.Select(choices=YES_NO)
    )
    department = filters.NumberFilter(
        method="filter_department", label=_("Department (sending or receiving)")
    )
    task = filters.NumberFilter(field_name="task", widget=forms.HiddenInput, label=_("Task"))

    class Meta:
        model = Handoff
        fields = ["direction", "status", "overdue", "department", "task"]

    def filter_direction(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        if value == INCOMING:
            department = user.department_id_for_scope
            return queryset.filter(to_department_id=department) if department else queryset.none()
        return queryset.filter(from_user_id=user.pk)

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        if value == OPEN:
            return queryset.filter(status__in=OPEN_HANDOFF_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_department(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(to_department_id=value) | Q(from_department_id=value))
