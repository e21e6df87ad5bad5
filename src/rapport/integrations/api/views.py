"""Webhooks in the API (administrators)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.core.api.viewsets import ScopedReadOnlyViewSet
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


class WebhookViewSet(
    ScopedReadOnlyViewSet,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    model = Webhook
    serializer_class = WebhookSerializer
    ordering = ["name", "id"]

    @staticmethod
    def required_role(user) -> bool:
        return user.is_administrator

    required_role_for_reading = required_role  # signing secrets: administrators only

    def perform_create(self, serializer):
        serializer.instance = webhook_save(
            actor=self.request.user, webhook=Webhook(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        hook = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(hook, key, value)
        serializer.instance = webhook_save(actor=self.request.user, webhook=hook)

    def perform_destroy(self, instance):
        webhook_delete(actor=self.request.user, webhook=instance)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        hook = self.get_object()
        return Response(DeliverySerializer(hook.deliveries.all()[:100], many=True).data)
