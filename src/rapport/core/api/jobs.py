"""Background jobs in the API: status, progress, report and the produced file."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from rapport.core.api.viewsets import ScopedReadOnlyViewSet
from rapport.core.models import Job
from rapport.core.views import job_file_response


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "attempts",
            "result",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str | None:
        if obj.kind.endswith(".export") and obj.status == "done":
            return f"/api/v1/jobs/{obj.pk}/download/"
        return None


class JobViewSet(ScopedReadOnlyViewSet):
    """Your imports and exports: status, progress, report and the produced file."""

    model = Job
    serializer_class = JobSerializer
    filterset_fields = ["kind", "status"]
    ordering = ["-id"]
    ordering_fields = ["id"]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return job_file_response(self.get_object())
