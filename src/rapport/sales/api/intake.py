"""Lead intake in the API: the public web forms and the distribution rules (administration)."""

from __future__ import annotations

from rest_framework import serializers

from rapport.accounts.models import Team, Territory, User
from rapport.core.api.viewsets import AdministeredViewSet
from rapport.sales.models import DistributionRule, LeadWebForm
from rapport.sales.services.distribution import (
    distribution_rule_delete,
    distribution_rule_save,
    web_form_delete,
    web_form_save,
)


class LeadWebFormSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = LeadWebForm
        fields = [
            "id",
            "name",
            "key",
            "team",
            "team_name",
            "campaign",
            "thank_you_message",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class LeadWebFormViewSet(AdministeredViewSet):
    """Public lead forms (``/f/{key}/`` on the site): everyone reads them, administrators
    change them. Deleting a form keeps its leads (they lose the link) and removes the
    distribution rules that name it."""

    model = LeadWebForm
    serializer_class = LeadWebFormSerializer
    ordering = ["name", "id"]
    ordering_fields = ["name", "key", "id"]
    filterset_fields = ["team", "is_active"]

    def base_queryset(self):
        return LeadWebForm.objects.select_related("team")

    def save_service(actor, form):
        return web_form_save(actor=actor, form=form)

    def delete_service(actor, form):
        web_form_delete(actor=actor, form=form)


class DistributionRuleSerializer(serializers.ModelSerializer):
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )
    web_form = serializers.PrimaryKeyRelatedField(
        queryset=LeadWebForm.objects.all(), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = DistributionRule
        fields = [
            "id",
            "name",
            "position",
            "is_active",
            "territory",
            "industry",
            "web_form",
            "source",
            "method",
            "team",
            "user",
            "last_assigned",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "last_assigned", "created_at", "updated_at"]


class DistributionRuleViewSet(AdministeredViewSet):
    """Who gets a new lead: the first active rule (by ``position``) whose conditions (territory,
    industry, web form, source; empty = any) all hold gives it to its ``team`` round-robin
    (``round_robin``), to one member (``user``, needs ``user``) or to the team's queue
    (``queue``). Everyone reads the rules, administrators change them."""

    model = DistributionRule
    serializer_class = DistributionRuleSerializer
    ordering = ["position", "id"]
    ordering_fields = ["position", "name", "id"]
    filterset_fields = ["team", "is_active", "method"]

    def save_service(actor, rule):
        return distribution_rule_save(actor=actor, rule=rule)

    def delete_service(actor, rule):
        distribution_rule_delete(actor=actor, rule=rule)
