"""API representation of automation rules and their runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rapport.automation import selectors
from rapport.automation.models import Rule, RuleRun


class RecordTypeField(serializers.CharField):
    """A record type by its label ("sales.deal"), one of core/records.py's registry."""

    def __init__(self, **kwargs):
        super().__init__(max_length=60, **kwargs)

    def to_internal_value(self, data):
        label = super().to_internal_value(data).strip().lower()
        if label not in dict(selectors.record_type_choices()):
            raise serializers.ValidationError(
                _("Choose a kind of record from the list: %(labels)s.")
                % {"labels": ", ".join(dict(selectors.record_type_choices()))}
            )
        return label


class RuleSerializer(serializers.ModelSerializer):
    record_type = RecordTypeField(
        help_text="The kind of record the rule watches, e.g. sales.deal or orders.invoice."
    )
    conditions = serializers.JSONField(
        required=False,
        help_text=(
            'A list of {"field", "operator", "value"}; operators: =, !=, <, <=, >, >=, '
            "contains, in, is_empty, is_not_empty."
        ),
    )
    actions = serializers.JSONField(
        help_text=(
            'An ordered list of actions, each with a "type": create_task, start_process, '
            "send_email, set_field or notify (see the documentation for their fields)."
        )
    )
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "is_active",
            "record_type",
            "trigger",
            "trigger_field",
            "trigger_stage",
            "days_before",
            "match",
            "conditions",
            "actions",
            "author",
            "runs_count",
            "failures_count",
            "last_run_at",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "author",
            "runs_count",
            "failures_count",
            "last_run_at",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["record_type"] = selectors.label_of(instance)
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, rule) -> list[str]:
        """What to know about a rule just saved (empty when reading)."""
        return [str(w) for w in getattr(rule, "warnings", [])]


class RuleRunSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()

    class Meta:
        model = RuleRun
        fields = [
            "id",
            "record_type",
            "object_id",
            "object_repr",
            "trigger_key",
            "status",
            "depth",
            "message",
            "actions_done",
            "created_at",
            "started_at",
            "finished_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_record_type(self, run) -> str:
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_id(run.content_type_id)
        return f"{content_type.app_label}.{content_type.model}"
