"""How a change record looks in the API."""

from rest_framework import serializers


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    record_type = serializers.CharField()
    record_id = serializers.IntegerField()
    record = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, change):
        return {
            "id": change.pk,
            "action": change.action,
            "actor": str(change.actor) if change.actor_id else None,
            "record_type": f"{change.content_type.app_label}.{change.content_type.model}",
            "record_id": change.object_id,
            "record": change.object_repr,
            "before": change.before,
            "after": change.after,
            "created_at": serializers.DateTimeField().to_representation(change.created_at),
        }
