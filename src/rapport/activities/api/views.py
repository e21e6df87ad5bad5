"""Activities in the API."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from rapport.activities.api.serializers import ActivitySerializer, ActivityUpdateSerializer
from rapport.activities.filtersets.activities import ActivityFilterSet
from rapport.activities.models import Activity
from rapport.activities.services.activities import activity_delete, activity_log, activity_update
from rapport.core.api.viewsets import ServiceModelViewSet


class ActivityViewSet(ServiceModelViewSet):
    """Calls, meetings, e-mails and notes about the companies and people you may see."""

    model = Activity
    filterset_class = ActivityFilterSet
    ordering = ["-occurred_at", "-id"]
    ordering_fields = ["occurred_at", "id"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ActivityUpdateSerializer
        return ActivitySerializer

    def base_queryset(self):
        return Activity.objects.select_related("owner")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = activity_log(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)

    def service_update(self, instance, data, *, if_match=None):
        return activity_update(
            actor=self.request.user, activity=instance, if_match=if_match, **data
        )

    def service_delete(self, instance, *, if_match=None):
        activity_delete(actor=self.request.user, activity=instance)
