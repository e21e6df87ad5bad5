"""Serializers of process templates (with nested stages) and running processes."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rapport.accounts.choices import Role
from rapport.accounts.models import Department, User
from rapport.core import records
from rapport.processes.choices import DurationUnit
from rapport.processes.models import (
    ProcessInstance,
    ProcessStage,
    ProcessStageTemplate,
    ProcessTemplate,
)


class ProcessStageTemplateSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    executor_role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True)
    executor_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    executor_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    duration_unit = serializers.ChoiceField(choices=DurationUnit.choices, default="days")
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True), required=False
    )
    documents = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True), required=False
    )

    class Meta:
        model = ProcessStageTemplate
        fields = [
            "id",
            "position",
            "name",
            "executor_role",
            "executor_department",
            "executor_user",
            "duration_value",
            "duration_unit",
            "checklist",
            "documents",
            "is_skippable",
        ]
        read_only_fields = ["position"]
        # The model's checks (exactly one executor) run in the service, with their messages.
        validators: list = []


class ProcessTemplateSerializer(serializers.ModelSerializer):
    record_type = serializers.ChoiceField(choices=())
    controller = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    stages = ProcessStageTemplateSerializer(many=True, required=False)

    class Meta:
        model = ProcessTemplate
        fields = [
            "id",
            "name",
            "description",
            "record_type",
            "controller",
            "is_active",
            "stages",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [t.label for t in records.record_types()]


class ProcessRecordSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()


class ProcessStageSerializer(serializers.ModelSerializer):
    executor_user_name = serializers.SerializerMethodField()
    executor_department_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    is_deviation = serializers.SerializerMethodField()

    class Meta:
        model = ProcessStage
        fields = [
            "id",
            "position",
            "name",
            "executor_role",
            "executor_user",
            "executor_user_name",
            "executor_department",
            "executor_department_name",
            "planned_start",
            "planned_end",
            "status",
            "started_at",
            "finished_at",
            "skipped_reason",
            "skipped_by",
            "checklist",
            "documents",
            "is_skippable",
            "task",
            "is_overdue",
            "is_deviation",
        ]
        read_only_fields = fields

    def get_executor_user_name(self, obj) -> str | None:
        return str(obj.executor_user) if obj.executor_user_id else None

    def get_executor_department_name(self, obj) -> str | None:
        return str(obj.executor_department) if obj.executor_department_id else None

    def get_is_overdue(self, obj) -> bool:
        return bool(getattr(obj, "overdue", False))

    def get_is_deviation(self, obj) -> bool:
        return bool(getattr(obj, "deviation", False))


class ProcessSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    record = serializers.SerializerMethodField()
    deviations = serializers.SerializerMethodField()
    # Built once for the whole list (a serializer made per row costs more than the query).
    stages = ProcessStageSerializer(source="stage_list", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcessInstance
        fields = [
            "id",
            "url",
            "name",
            "template",
            "template_name",
            "record",
            "company",
            "person",
            "controller",
            "status",
            "started_at",
            "started_by",
            "finished_at",
            "cancel_reason",
            "current_stage",
            "current_due",
            "deviations",
            "stages",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    @extend_schema_field(ProcessRecordSerializer)
    def get_record(self, obj) -> dict:
        record = getattr(obj, "record", None)
        content_type = ContentType.objects.get_for_id(obj.content_type_id)  # cached
        kind = f"{content_type.app_label}.{content_type.model}"
        return {
            "type": kind,
            "id": obj.object_id,
            "name": str(record) if record is not None else "",
            "url": record.get_absolute_url() if hasattr(record, "get_absolute_url") else "",
        }

    def get_deviations(self, obj) -> int:
        return int(getattr(obj, "deviations", 0))


class ProcessScheduleRowSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=0)
    planned_start = serializers.DateTimeField(required=False)
    planned_end = serializers.DateTimeField(required=False)
    executor_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    executor_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class ProcessStartSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=ProcessTemplate.objects.all())
    record_type = serializers.CharField(help_text="A record type label, e.g. sales.deal.")
    record_id = serializers.IntegerField()
    controller = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    stages = ProcessScheduleRowSerializer(many=True, required=False)


class ProcessStageScheduleSerializer(serializers.Serializer):
    planned_start = serializers.DateTimeField(required=False)
    planned_end = serializers.DateTimeField(required=False)
    executor_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    executor_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class ProcessStageSkipSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ProcessCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
