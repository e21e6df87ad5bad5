"""Helpers of the automation tests."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from rapport.automation.models import Rule
from rapport.automation.selectors import content_type_for
from rapport.automation.services import rule_save


def content_type(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def save_rule(actor, **fields) -> Rule:
    label = fields.pop("record_type", "sales.deal")
    fields.setdefault("name", "A rule")
    rule = Rule(content_type_id=content_type_for(label).pk, **fields)
    return rule_save(actor=actor, rule=rule)[0]
