"""Webhooks in the API (administrators)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.core.api.viewsets import AdministeredViewSet
from rapport.integrations.models import Webhook, WebhookDelivery
from rapport.integrations.services import webhook_delete, webhook_save


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField(max_length=60), required=False)

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "secret", "events", "is_active", "created_at"]
        read_only_fields = ["secret", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
        ]


class WebhookViewSet(AdministeredViewSet):
    """Outbound webhooks and their deliveries (administrators only)."""

    model = Webhook
    serializer_class = WebhookSerializer
    ordering = ["name", "id"]
    required_role_for_reading = staticmethod(AdministeredViewSet.required_role)  # secrets

    def save_service(actor, webhook):
        return webhook_save(actor=actor, webhook=webhook)

    def delete_service(actor, webhook):
        webhook_delete(actor=actor, webhook=webhook)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        hook = self.get_object()
        return Response(DeliverySerializer(hook.deliveries.all()[:100], many=True).data)
