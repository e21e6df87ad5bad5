"""Filters of the process dashboard, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from rapport.accounts.forms import user_select
from rapport.accounts.models import User
from rapport.contacts.filtersets import UserFilter
from rapport.core import records
from rapport.processes.choices import ProcessStatus, StageStatus
from rapport.processes.forms import record_type_choices
from rapport.processes.models import ProcessInstance, ProcessStage, ProcessTemplate


class ProcessFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProcessStatus.choices, label=_("Status"))
    template = filters.ModelChoiceFilter(
        queryset=ProcessTemplate.objects.all(), label=_("Process template")
    )
    controller = UserFilter(
        queryset=User.objects.filter(is_active=True), label=_("Controller"), widget=user_select()
    )
    executor = UserFilter(
        queryset=User.objects.filter(is_active=True),
        label=_("Executor of the current stage"),
        widget=user_select(),
        method="filter_executor",
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label=_("Current stage overdue"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    record_type = filters.ChoiceFilter(
        choices=record_type_choices, method="filter_record_type", label=_("Record type")
    )
    company = filters.NumberFilter(field_name="company_id", label=_("Company (id)"))
    person = filters.NumberFilter(field_name="person_id", label=_("Person (id)"))
    record = filters.NumberFilter(field_name="object_id", label=_("Record (id)"))

    class Meta:
        model = ProcessInstance
        fields = ["status", "template", "controller"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_executor(self, queryset, name, value):
        if not value:
            return queryset
        active = ProcessStage.objects.filter(executor_user=value, status=StageStatus.ACTIVE)
        return queryset.filter(pk__in=active.values("instance_id"))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"status": ProcessStatus.RUNNING, "current_due__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_record_type(self, queryset, name, value):
        kind = records.record_type(value or "")
        if kind is None:
            return queryset
        return queryset.filter(content_type=ContentType.objects.get_for_model(kind.model))
