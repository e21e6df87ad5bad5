"""API representation of activities and of timeline entries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.api.changes import ChangeSerializer


class ActivitySerializer(serializers.ModelSerializer):
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "direction",
            "subject",
            "body",
            "occurred_at",
            "duration_minutes",
            "owner",
            "company",
            "person",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "created_at", "updated_at"]


class ActivityUpdateSerializer(ActivitySerializer):
    class Meta(ActivitySerializer.Meta):
        read_only_fields = ["owner", "company", "person", "created_at", "updated_at"]


class TimelineEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["activity", "change"])
    activity = serializers.SerializerMethodField()
    change = serializers.SerializerMethodField()

    @extend_schema_field(ActivitySerializer(allow_null=True))
    def get_activity(self, entry):
        return ActivitySerializer(entry.item).data if entry.kind == "activity" else None

    @extend_schema_field(ChangeSerializer(allow_null=True))
    def get_change(self, entry):
        return ChangeSerializer(entry.item).data if entry.kind == "change" else None
