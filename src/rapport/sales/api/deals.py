"""Pipelines (with their stages), reasons for losing, and deals in the API."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.accounts.models import Team, User
from rapport.contacts.models import Company, Person
from rapport.core.api.viewsets import AdministeredViewSet, ServiceModelViewSet
from rapport.core.services import etag_for
from rapport.sales.choices import StageKind
from rapport.sales.filtersets.deals import DealFilterSet
from rapport.sales.models import Deal, LostReason, Pipeline, Stage
from rapport.sales.selectors.deals import stage_history
from rapport.sales.services import deals as services
from rapport.sales.services.pipelines import (
    lost_reason_delete,
    lost_reason_save,
    pipeline_delete,
    pipeline_save,
    stage_delete,
    stage_save,
)
from rapport.sales.tables.deals import DEAL_SORTS


# Pipelines -----------------------------------------------------------------------------------
class StageSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        model = Stage
        fields = ["id", "name", "position", "probability", "kind"]
        read_only_fields = ["id"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, required=False)

    class Meta:
        model = Pipeline
        fields = [
            "id",
            "name",
            "deal_noun",
            "deal_noun_plural",
            "currency",
            "position",
            "is_active",
            "stages",
        ]
        read_only_fields = ["id"]


class PipelineViewSet(AdministeredViewSet):
    """Pipelines and their stages in order; everyone reads them, administrators change them.
    On create, ``stages`` lists the stages; on update, a given ``stages`` list updates the
    stages with an ``id`` and adds those without one; ``DELETE /pipelines/{id}/stages/{stage_id}/``
    removes a stage that holds no deals."""

    model = Pipeline
    serializer_class = PipelineSerializer
    ordering = ["position", "name", "id"]
    ordering_fields = ["position", "name", "id"]

    def base_queryset(self):
        return Pipeline.objects.prefetch_related("stages")

    def _save(self, pipeline, stages):
        with transaction.atomic():
            pipeline = pipeline_save(actor=self.request.user, pipeline=pipeline)
            existing = {s.pk: s for s in pipeline.stages.all()}
            for position, data in enumerate(stages or []):
                data = dict(data)
                stage = existing.get(self.request.data["stages"][position].get("id"))
                if stage is None:
                    stage = Stage(pipeline=pipeline, position=data.pop("position", position))
                for key, value in data.items():
                    setattr(stage, key, value)
                stage_save(actor=self.request.user, stage=stage)
        return pipeline

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        stages = data.pop("stages", None)
        serializer.instance = self._save(Pipeline(**data), stages)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        stages = data.pop("stages", None)
        instance = serializer.instance
        for key, value in data.items():
            setattr(instance, key, value)
        serializer.instance = self._save(instance, stages)

    def perform_destroy(self, instance):
        pipeline_delete(actor=self.request.user, pipeline=instance)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        fresh = self.base_queryset().get(pk=response.data["id"])
        response.data = self.get_serializer(fresh).data
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        fresh = self.base_queryset().get(pk=response.data["id"])
        response.data = self.get_serializer(fresh).data
        return response

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("stage_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"stages/(?P<stage_id>[0-9]+)",
        url_name="stage",
    )
    def delete_stage(self, request, pk=None, stage_id=None):
        """Remove a stage of this pipeline; one that still holds deals is refused (``in_use``)."""
        stage = self.get_object().stages.filter(pk=stage_id).first()
        if stage is None:
            raise Http404
        stage_delete(actor=request.user, stage=stage)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "name", "is_active"]
        read_only_fields = ["id"]


class LostReasonViewSet(AdministeredViewSet):
    """Reasons for losing a deal (needed to move a deal to a lost stage)."""

    model = LostReason
    serializer_class = LostReasonSerializer
    ordering = ["name", "id"]
    ordering_fields = ["name", "id"]

    def save_service(actor, reason):
        return lost_reason_save(actor=actor, reason=reason)

    def delete_service(actor, reason):
        lost_reason_delete(actor=actor, reason=reason)


# Deals ---------------------------------------------------------------------------------------
class DealSerializer(serializers.ModelSerializer):
    pipeline = serializers.PrimaryKeyRelatedField(queryset=Pipeline.objects.all())
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False)
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.all(), required=False, allow_null=True
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "url",
            "name",
            "pipeline",
            "stage",
            "stage_name",
            "status",
            "company",
            "company_name",
            "person",
            "amount",
            "currency",
            "expected_close_date",
            "probability",
            "source",
            "campaign",
            "lost_reason",
            "lost_note",
            "description",
            "owner",
            "team",
            "stage_changed_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "stage_changed_at", "closed_at", "created_at", "updated_at"]

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class DealMoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.select_related("pipeline"))
    lost_reason = serializers.PrimaryKeyRelatedField(
        queryset=LostReason.objects.all(), required=False, allow_null=True
    )
    lost_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StageStaySerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="stage.pk")
    stage_name = serializers.CharField(source="stage.name")
    entered_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    actor = serializers.IntegerField(source="actor.pk", allow_null=True, default=None)
    seconds = serializers.IntegerField()


class DealViewSet(ServiceModelViewSet):
    """Deals you may see. Moving between stages: ``POST /deals/{id}/move/`` (a lost stage
    needs ``lost_reason``); ``If-Match`` with the ETag guards against concurrent edits."""

    model = Deal
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    ordering = ["-created_at", "-id"]
    ordering_fields = list(DEAL_SORTS)

    def base_queryset(self):
        return Deal.objects.select_related("stage", "company")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = services.deal_create(actor=request.user, **serializer.validated_data)
        response = Response(
            self.get_serializer(self.base_queryset().get(pk=deal.pk)).data,
            status=status.HTTP_201_CREATED,
        )
        response["ETag"] = etag_for(deal)
        return response

    def service_update(self, instance, data, *, if_match=None):
        return services.deal_update(
            actor=self.request.user, deal=instance, if_match=if_match, **data
        )

    def service_delete(self, instance, *, if_match=None):
        services.deal_delete(actor=self.request.user, deal=instance, if_match=if_match)

    @extend_schema(request=DealMoveSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        deal = self.get_object()
        data = DealMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_move(
            actor=request.user,
            deal=deal,
            stage=data.validated_data["stage"],
            lost_reason=data.validated_data.get("lost_reason"),
            lost_note=data.validated_data.get("lost_note", ""),
            if_match=self.if_match(),
        )
        fresh = self.base_queryset().get(pk=deal.pk)
        response = Response(self.get_serializer(fresh).data)
        response["ETag"] = etag_for(fresh)
        return response

    @extend_schema(responses=StageStaySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="stage-history")
    def stage_history(self, request, pk=None):
        return Response(StageStaySerializer(stage_history(self.get_object()), many=True).data)
