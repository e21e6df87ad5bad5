"""Tasks and the notification centre in the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.accounts.models import Department, User
from rapport.activities.choices import TaskStatus
from rapport.activities.filtersets.tasks import TaskFilterSet
from rapport.activities.models import Task
from rapport.activities.selectors.tasks import SORTS, TASK_RELATED, attach_records
from rapport.activities.services import tasks as services
from rapport.contacts.models import Company, Person
from rapport.core import records, scoping
from rapport.core.api.viewsets import ScopedViewSetMixin, ServiceModelViewSet
from rapport.core.models import Notification
from rapport.core.notifications import notifications_mark_read
from rapport.core.services import etag_for

# Set on create only: what a task is about does not change afterwards.
CREATE_ONLY = ("record_type", "record_id", "company", "person")


# Tasks ---------------------------------------------------------------------------------------
class ChecklistItemSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    done = serializers.BooleanField(default=False)


class RecordSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="e.g. sales.deal")
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True, help_text="Null when you may not see it.")
    url = serializers.CharField(allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="The department whose queue the task waits in (instead of an assignee).",
    )
    checklist = ChecklistItemSerializer(many=True, required=False)
    record_type = serializers.CharField(
        required=False,
        write_only=True,
        help_text="On create, with record_id: what the task is about (e.g. sales.deal).",
    )
    record_id = serializers.IntegerField(required=False, write_only=True)
    record = serializers.SerializerMethodField()
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "url",
            "title",
            "description",
            "status",
            "priority",
            "due_at",
            "remind_at",
            "reminded_at",
            "overdue",
            "assignee",
            "department",
            "author",
            "team",
            "checklist",
            "record_type",
            "record_id",
            "record",
            "company",
            "person",
            "completed_at",
            "completed_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "reminded_at",
            "author",
            "team",
            "completed_at",
            "completed_by",
            "created_at",
            "updated_at",
        ]

    def validate(self, data):
        if ("record_type" in data) != ("record_id" in data):
            raise serializers.ValidationError(
                {"record_id": [_("Give both record_type and record_id, or neither.")]}
            )
        return data

    @extend_schema_field(RecordSerializer(allow_null=True))
    def get_record(self, task):
        if not hasattr(task, "record"):
            attach_records(self.context["request"].user, [task])
        if task.record is None:
            return None
        # A task in one's department's queue may be about a record one does not see.
        return {
            "type": task.record._meta.label_lower,
            "id": task.record.pk,
            "name": str(task.record) if task.about_visible else None,
            "url": task.record.get_absolute_url() if task.about_visible else None,
        }

    def get_overdue(self, task) -> bool:
        return task.is_overdue()

    def get_url(self, task) -> str:
        return task.get_absolute_url()


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices)


class TaskViewSet(ServiceModelViewSet):
    """Tasks you may see (yours, your team's or department's, those you handed to another
    department, read only, and those about customers you see).
    Filters are the web lists' (``assignee``, ``status``, ``is_open``, ``overdue``, due range,
    ``record_type``/``record_id``, ``company``, ``department``...). Moves:
    ``POST /tasks/{id}/status/``; taking a task from a department's queue:
    ``POST /tasks/{id}/take/``. ``If-Match`` with the ETag guards against concurrent edits."""

    model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    ordering = list(SORTS["due"])
    ordering_fields = ["due_at", "priority", "created_at", "updated_at", "id"]

    def base_queryset(self):
        return Task.objects.select_related(*TASK_RELATED)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = attach_records(request.user, self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _answer(self, task, code=status.HTTP_200_OK):
        fresh = self.base_queryset().get(pk=task.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        response["ETag"] = etag_for(fresh)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        label, object_id = data.pop("record_type", None), data.pop("record_id", None)
        if label:
            data["record"] = records.find_record(request.user, label, object_id)
        task = services.task_create(actor=request.user, **data)
        return self._answer(task, status.HTTP_201_CREATED)

    def service_update(self, instance, data, *, if_match=None):
        data = {k: v for k, v in data.items() if k not in CREATE_ONLY}
        return services.task_update(
            actor=self.request.user, task=instance, if_match=if_match, **data
        )

    def service_delete(self, instance, *, if_match=None):
        services.task_delete(actor=self.request.user, task=instance, if_match=if_match)

    @extend_schema(request=TaskStatusSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Start (in_progress), complete (done), cancel (cancelled) or reopen (open) a task."""
        task = self.get_object()
        data = TaskStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_set_status(
            actor=request.user,
            task=task,
            status=data.validated_data["status"],
            if_match=self.if_match(),
        )
        return self._answer(task)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """Take a task waiting in your department's queue (``taken`` if someone was faster)."""
        task = services.task_take(actor=request.user, task=self.get_object())
        return self._answer(task)


# Notifications -------------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, note) -> bool:
        return note.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class NotificationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your notifications, newest first (``?unread=true``: only the unread). Marking read:
    ``POST /notifications/{id}/read/`` or all at once ``POST /notifications/read-all/``."""

    model = Notification
    serializer_class = NotificationSerializer
    ordering = ["-created_at", "-id"]
    ordering_fields = ["created_at", "id"]
    # Anyone reads their own notifications, a read-only auditor too.
    read_only_roles_may_post = True

    def scope_action(self) -> str:
        return scoping.VIEW  # personal: marking one's own read is not changing business data

    def get_queryset(self):
        rows = super().get_queryset()
        if self.request.query_params.get("unread") in ("true", "1"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        notifications_mark_read(actor=request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(self.get_serializer(note).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_read(actor=request.user)})
