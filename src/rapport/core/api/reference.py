"""Reference data in the API: users (to choose curators), tags, custom fields, the change log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.accounts.models import User
from rapport.core.api.changes import ChangeSerializer
from rapport.core.api.viewsets import AdministeredViewSet, ScopedReadOnlyViewSet
from rapport.core.configuration import custom_field_delete, custom_field_save
from rapport.core.models import ChangeRecord, CustomFieldDefinition, Tag


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "role", "team", "department", "language"]


class UserViewSet(ScopedReadOnlyViewSet):
    """Active colleagues (to choose curators and filter by owner)."""

    model = User
    serializer_class = UserSerializer
    filterset_fields = ["role", "team", "department"]
    ordering = ["last_name", "first_name", "id"]
    ordering_fields = ["last_name", "id"]

    def base_queryset(self):
        return User.objects.filter(is_active=True)

    def get_queryset(self):
        return self.base_queryset()  # colleagues' names are visible to every active user

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class TagViewSet(ScopedReadOnlyViewSet):
    """Tags in use."""

    model = Tag
    serializer_class = TagSerializer
    ordering = ["name"]
    ordering_fields = ["name"]


class CustomFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomFieldDefinition
        fields = [
            "id",
            "target",
            "key",
            "label",
            "field_type",
            "choices",
            "is_required",
            "position",
        ]


class CustomFieldViewSet(AdministeredViewSet):
    """Custom fields of companies and people; administrators define them."""

    model = CustomFieldDefinition
    serializer_class = CustomFieldSerializer
    filterset_fields = ["target"]
    ordering = ["target", "position", "id"]

    def save_service(actor, definition):
        return custom_field_save(actor=actor, definition=definition)

    def delete_service(actor, definition):
        custom_field_delete(actor=actor, definition=definition)


class ChangeRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """The whole change log: administrators, directors and auditors."""

    serializer_class = ChangeSerializer
    queryset = ChangeRecord.objects.all()  # narrowed per user in get_queryset
    filterset_fields = ["actor", "action", "object_id"]
    ordering = ["-created_at", "-id"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        if not self.request.user.can_read_change_log:
            return ChangeRecord.objects.none()
        return ChangeRecord.objects.select_related("actor", "content_type")
