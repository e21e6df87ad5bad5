"""Hand-offs between departments in the API: list (incoming, outgoing, by status, overdue,
department), hand a task over, acknowledge, return."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.accounts.models import Department
from rapport.activities.choices import OPEN_HANDOFF_STATUSES
from rapport.activities.filtersets.handoffs import HANDOFF_SORTS, HandoffFilterSet
from rapport.activities.models import Handoff, Task
from rapport.activities.selectors.handoffs import HANDOFF_RELATED
from rapport.activities.services.handoffs import (
    REASON_LIMIT,
    handoff_acknowledge,
    handoff_return,
    handoff_send,
)
from rapport.core import scoping
from rapport.core.api.viewsets import ETagMixin, ScopedViewSetMixin
from rapport.core.services import etag_for


class HandoffSerializer(serializers.ModelSerializer):
    task_title = serializers.CharField(source="task.title", read_only=True)
    from_user_name = serializers.SerializerMethodField()
    to_department_name = serializers.CharField(source="to_department.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "task",
            "task_title",
            "from_user",
            "from_user_name",
            "from_department",
            "to_department",
            "to_department_name",
            "note",
            "deadline",
            "status",
            "overdue",
            "acknowledged_at",
            "acknowledged_by",
            "closed_at",
            "return_reason",
            "escalated_at",
            "escalated_to",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "return_reason": {
                "help_text": "Why the receiving department returned it (empty unless returned)."
            }
        }

    def get_from_user_name(self, handoff) -> str:
        return str(handoff.from_user) if handoff.from_user_id else ""

    def get_overdue(self, handoff) -> bool:
        return handoff.status in OPEN_HANDOFF_STATUSES and handoff.deadline < self.context.get(
            "now", timezone.now()
        )


class HandoffCreateSerializer(serializers.Serializer):
    task = serializers.IntegerField(help_text="The task to hand over (one you may change).")
    to_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    deadline = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoffAcknowledgeSerializer(serializers.Serializer):
    take = serializers.BooleanField(
        required=False, default=False, help_text="Also take the task from the queue."
    )


class HandoffReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_LIMIT)


class HandoffViewSet(
    ScopedViewSetMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks handed from one department to another's queue with a deadline.

    ``direction=incoming`` lists those to your department, ``direction=outgoing`` those you
    sent; ``status=open`` the ones waiting or acknowledged; ``overdue=true`` the open ones past
    their deadline. Only a member of the receiving department acknowledges or returns one."""

    model = Handoff
    serializer_class = HandoffSerializer
    filterset_class = HandoffFilterSet
    ordering = ["deadline", "id"]
    ordering_fields = sorted({name for fields in HANDOFF_SORTS.values() for name in fields})
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return Handoff.objects.select_related(*HANDOFF_RELATED)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def answer(self, handoff, code=status.HTTP_200_OK):
        handoff = self.base_queryset().get(pk=handoff.pk)
        response = Response(
            HandoffSerializer(handoff, context=self.get_serializer_context()).data, status=code
        )
        response["ETag"] = etag_for(handoff)
        return response

    @extend_schema(request=HandoffCreateSerializer, responses={201: HandoffSerializer})
    def create(self, request, *args, **kwargs):
        data = HandoffCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        task = (
            Task.objects.restrict(request.user, scoping.CHANGE)
            .filter(pk=values.pop("task"))
            .first()
        )
        if task is None:
            raise Http404
        handoff = handoff_send(actor=request.user, task=task, **values)
        return self.answer(handoff, status.HTTP_201_CREATED)

    @extend_schema(request=HandoffAcknowledgeSerializer, responses=HandoffSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = HandoffAcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = handoff_acknowledge(
            actor=request.user, handoff=self.get_object(), take=data.validated_data["take"]
        )
        return self.answer(handoff)

    @extend_schema(request=HandoffReturnSerializer, responses=HandoffSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = HandoffReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handoff = handoff_return(
            actor=request.user, handoff=self.get_object(), reason=data.validated_data.get("reason")
        )
        return self.answer(handoff)
