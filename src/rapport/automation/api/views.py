"""Automation rules in the API (administrators) and each rule's run log."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from rapport.automation import selectors
from rapport.automation.api.serializers import RuleRunSerializer, RuleSerializer
from rapport.automation.choices import RunStatus
from rapport.automation.models import Rule
from rapport.automation.services import rule_delete, rule_save
from rapport.core.api.viewsets import AdministeredViewSet


def _fields(data: dict) -> dict:
    fields = dict(data)
    label = fields.pop("record_type", None)
    if label is not None:
        content_type = selectors.content_type_for(label)
        fields["content_type_id"] = content_type.pk if content_type else None
    return fields


class RuleViewSet(AdministeredViewSet):
    """Automation rules: administrators read and change them; they run as the administrator
    who saved them last. A write answers with ``warnings`` to read (e.g. a rule that e-mails
    customers); a rule that is not valid is refused whole, with the reasons by field."""

    model = Rule
    serializer_class = RuleSerializer
    ordering = ["name", "id"]
    ordering_fields = ["name", "id", "last_run_at", "failures_count"]
    filterset_fields = ["is_active", "trigger"]
    required_role_for_reading = staticmethod(AdministeredViewSet.required_role)

    def base_queryset(self):
        return Rule.objects.select_related("author")

    def perform_create(self, serializer):
        rule = Rule(**_fields(serializer.validated_data))
        rule, warnings = rule_save(actor=self.request.user, rule=rule)
        rule.warnings = warnings
        serializer.instance = rule

    def perform_update(self, serializer):
        rule = serializer.instance
        for key, value in _fields(serializer.validated_data).items():
            setattr(rule, key, value)
        rule, warnings = rule_save(actor=self.request.user, rule=rule)
        rule.warnings = warnings
        serializer.instance = rule

    def perform_destroy(self, instance):
        rule_delete(actor=self.request.user, rule=instance)

    @extend_schema(
        responses=RuleRunSerializer(many=True),
        parameters=[OpenApiParameter("status", enum=RunStatus.values, required=False)],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def runs(self, request, pk=None):
        """The rule's run log, newest first (``?status=failed`` for one status)."""
        from rapport.core.api.pagination import CountedLimitOffsetPagination

        rule = self.get_object()
        runs = selectors.runs_of(rule, status=request.query_params.get("status", ""))
        paginator = CountedLimitOffsetPagination()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(RuleRunSerializer(page, many=True).data)
