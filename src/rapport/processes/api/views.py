"""Process templates (with nested stages) and running processes in the API."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.core import records, scoping
from rapport.core.api.viewsets import ETagMixin, ScopedViewSetMixin
from rapport.core.services import etag_for
from rapport.processes.api.serializers import (
    ProcessCancelSerializer,
    ProcessSerializer,
    ProcessStageScheduleSerializer,
    ProcessStageSkipSerializer,
    ProcessStartSerializer,
    ProcessTemplateSerializer,
)
from rapport.processes.filtersets import ProcessFilterSet
from rapport.processes.models import ProcessInstance, ProcessTemplate
from rapport.processes.selectors import with_records, with_stages
from rapport.processes.services.instances import (
    process_cancel,
    process_start,
    stage_skip,
    stage_update,
)
from rapport.processes.services.templates import (
    may_manage_templates,
    template_create,
    template_delete,
    template_update,
)

STAGE_ID = OpenApiParameter("process_stage_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _stages_data(stages) -> list[dict] | None:
    if stages is None:
        return None
    return [{k: v for k, v in dict(row).items() if k != "position"} for row in stages]


class ProcessTemplateViewSet(
    ScopedViewSetMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Process templates and their stages, in order. Everyone reads them; administrators and
    heads of department write them. ``stages`` on create lists the stages in order; on update a
    given ``stages`` list becomes the template's stages exactly (rows with an ``id`` are kept and
    changed, rows without are added, the others removed). Each stage needs exactly one executor:
    ``executor_role``, ``executor_department`` or ``executor_user``."""

    model = ProcessTemplate
    serializer_class = ProcessTemplateSerializer
    ordering = ["name", "id"]
    ordering_fields = ["name", "id", "created_at"]
    filterset_fields = ["record_type", "is_active"]

    @staticmethod
    def required_role(user) -> bool:
        return may_manage_templates(user)

    def base_queryset(self):
        return ProcessTemplate.objects.prefetch_related("stages")

    def _fresh(self, pk):
        return self.get_serializer(self.base_queryset().get(pk=pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stages = _stages_data(data.pop("stages", None))
        template = template_create(actor=request.user, stages=stages, **data)
        response = Response(self._fresh(template.pk), status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(template)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stages = _stages_data(data.pop("stages", None))
        template = template_update(actor=request.user, template=instance, stages=stages, **data)
        template = ProcessTemplate.objects.get(pk=template.pk)
        response = Response(self._fresh(template.pk))
        response["ETag"] = etag_for(template)
        return response

    def perform_destroy(self, instance):
        template_delete(actor=self.request.user, template=instance)


class ProcessViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Processes you see (on records whose customer you see, that you control or started, or in
    which you carry out a stage). ``POST`` starts one on a record (``record_type`` like
    ``orders.order`` and ``record_id``; optional exact ``stages`` schedule by ``position``).
    Filters are the dashboard's; the default order puts the most overdue current stage first."""

    model = ProcessInstance
    serializer_class = ProcessSerializer
    filterset_class = ProcessFilterSet
    ordering = ["current_due", "id"]
    ordering_fields = ["current_due", "started_at", "id"]

    def base_queryset(self):
        return with_stages(ProcessInstance.objects.all())

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = with_records(list(page if page is not None else queryset))
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def _one(self, pk) -> ProcessInstance:
        instance = with_stages(ProcessInstance.objects.restrict(self.request.user)).filter(pk=pk)
        found = instance.first()
        if found is None:
            raise Http404
        return with_records([found])[0]

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(self._one(instance.pk)).data)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(request=ProcessStartSerializer, responses={201: ProcessSerializer})
    def create(self, request, *args, **kwargs):
        data = ProcessStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        record = records.find_record(request.user, values["record_type"], values["record_id"])
        instance = process_start(
            actor=request.user,
            template=values["template"],
            record=record,
            controller=values.get("controller"),
            start_at=values.get("start_at"),
            stages=[dict(row) for row in values.get("stages", [])],
        )
        return Response(
            self.get_serializer(self._one(instance.pk)).data, status=status.HTTP_201_CREATED
        )

    def _stage(self, instance, stage_id):
        stage = instance.stages.filter(pk=stage_id).first()
        if stage is None:
            raise Http404
        stage.instance = instance
        return stage

    @extend_schema(request=ProcessCancelSerializer, responses=ProcessSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop the process; the active stage's task is cancelled."""
        instance = self.get_object()
        data = ProcessCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        process_cancel(actor=request.user, instance=instance, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self._one(instance.pk)).data)

    @extend_schema(
        request=ProcessStageSkipSerializer, responses=ProcessSerializer, parameters=[STAGE_ID]
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"stages/(?P<process_stage_id>[0-9]+)/skip",
        url_name="stage-skip",
    )
    def skip(self, request, pk=None, process_stage_id=None):
        """Skip a pending or active stage: ``reason`` is required (400 ``invalid`` without)."""
        instance = self.get_object()
        data = ProcessStageSkipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage_skip(
            actor=request.user,
            stage=self._stage(instance, process_stage_id),
            reason=data.validated_data["reason"],
        )
        return Response(self.get_serializer(self._one(instance.pk)).data)

    @extend_schema(
        request=ProcessStageScheduleSerializer, responses=ProcessSerializer, parameters=[STAGE_ID]
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"stages/(?P<process_stage_id>[0-9]+)",
        url_name="stage",
    )
    def stage(self, request, pk=None, process_stage_id=None):
        """Change a stage's ``planned_start``/``planned_end`` or its executor (a person or a
        department's queue): the commissioning schedule. A finished stage is refused."""
        instance = self.get_object()
        data = ProcessStageScheduleSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        stage_update(
            actor=request.user,
            stage=self._stage(instance, process_stage_id),
            **data.validated_data,
        )
        return Response(self.get_serializer(self._one(instance.pk)).data)

    def scope_action(self) -> str:
        # Starting, cancelling, skipping and rescheduling are checked by the services (the
        # controller's side); reading the process first needs only to see it.
        return scoping.VIEW
