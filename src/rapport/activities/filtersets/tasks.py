"""Filters of task lists, shared by the team view, my tasks and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.accounts.forms import user_select
from rapport.accounts.models import Department, User
from rapport.activities.choices import OPEN_TASK_STATUSES, TaskPriority, TaskStatus
from rapport.activities.models import Task
from rapport.contacts.filtersets import NamedFilter, UserFilter
from rapport.core import records

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _record_type_choices():
    return [(kind.label, kind.verbose_name.capitalize()) for kind in records.record_types()]


class TaskFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))
    assignee = UserFilter(
        queryset=User.objects.filter(is_active=True), label=_("Assignee"), widget=user_select()
    )
    status = filters.ChoiceFilter(choices=TaskStatus.choices, label=_("Status"))
    is_open = filters.BooleanFilter(
        method="filter_open",
        label=pgettext_lazy("state", "Open"),
        widget=forms.Select(choices=YES_NO),
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        widget=forms.Select(choices=YES_NO),
    )
    priority = filters.ChoiceFilter(choices=TaskPriority.choices, label=_("Priority"))
    due_after = filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="gte", label=_("Due from"), widget=DATETIME
    )
    due_before = filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", label=_("Due before"), widget=DATETIME
    )
    record_type = filters.ChoiceFilter(
        choices=_record_type_choices, method="filter_record_type", label=_("About a")
    )
    record_id = filters.NumberFilter(field_name="object_id", label=_("Record (id)"))
    company = filters.NumberFilter(field_name="company_id", label=_("Company (id)"))
    person = filters.NumberFilter(field_name="person_id", label=_("Person (id)"))
    department = NamedFilter(queryset=Department.objects.all(), label=_("Department queue"))

    class Meta:
        model = Task
        fields = ["assignee", "status", "priority", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed datetimes come from a datetime-local box (no seconds, no zone: the site's time).
        for name in ("due_after", "due_before"):
            field = self.filters[name].field
            field.input_formats = ["%Y-%m-%dT%H:%M", *field.input_formats]

    def filter_open(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        is_open = Q(status__in=OPEN_TASK_STATUSES)
        return queryset.filter(is_open if value else ~is_open)

    def filter_overdue(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_TASK_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(overdue if value else ~overdue)

    def filter_record_type(self, queryset, name, value: str):
        kind = records.record_type(value) if value else None
        if kind is None:
            return queryset
        return queryset.filter(content_type=ContentType.objects.get_for_model(kind.model))


class MyTaskFilterSet(TaskFilterSet):
    """My tasks: the tabs choose the state and the due window; the rest narrows the tab."""

    class Meta(TaskFilterSet.Meta):
        fields = ["priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "assignee",
            "status",
            "is_open",
            "overdue",
            "due_after",
            "due_before",
            "record_id",
            "company",
            "person",
            "department",
        ):
            self.filters.pop(name, None)


class TeamTaskFilterSet(TaskFilterSet):
    """The team view: who, what state, overdue, what about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("record_id", "company", "person", "department"):
            self.filters.pop(name, None)
