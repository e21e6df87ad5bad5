"""Who may use each route and API operation of the automation app: administrators only (rules
act on every record and run as the administrator who saved them)."""

from __future__ import annotations

from rapport.automation.models import Rule, RuleRun
from tests.permission_base import Route, api_routes

RULES: dict = {}

FORM = {
    "name": "Matrix rule",
    "is_active": "on",
    "record_type": "contacts.company",
    "trigger": "created",
    "match": "all",
    "conditions-0-field": "kind",
    "conditions-0-operator": "=",
    "conditions-0-value": "customer",
    "actions-0-type": "notify",
    "actions-0-recipient": "owner",
    "actions-0-title": "New customer {{ name }}",
}
RULE_JSON = {
    "name": "API matrix rule",
    "record_type": "contacts.company",
    "trigger": "created",
    "actions": [{"type": "notify", "recipient": "owner", "title": "New {{ name }}"}],
}

WEB: dict[str, Route] = {
    "automation:rule_list": Route("admin"),
    "automation:rule_create": Route("admin", ("GET", "POST"), data=lambda w, k, a: FORM),
    "automation:rule_update": Route(
        "admin", ("GET", "POST"), obj="automation_rule", data=lambda w, k, a: FORM
    ),
    "automation:rule_delete": Route("admin", ("POST",), obj="automation_rule"),
    "automation:rule_runs": Route("admin", obj="automation_rule", query="status=done"),
    "automation:rule_try": Route(
        "admin",
        ("POST",),
        obj="automation_rule",
        data=lambda w, k, a: {"record": w.companies[k or "own"].pk},
    ),
}

API: dict = {
    **api_routes("/api/v1/automation-rules/", "admin", ("GET",)),
    **api_routes("/api/v1/automation-rules/", "admin", ("POST",), data=lambda w, k, a: RULE_JSON),
    **api_routes("/api/v1/automation-rules/{id}/", "admin", ("GET",), obj="automation_rule"),
    **api_routes(
        "/api/v1/automation-rules/{id}/",
        "admin",
        ("PUT", "PATCH"),
        obj="automation_rule",
        data=lambda w, k, a: RULE_JSON,
    ),
    **api_routes("/api/v1/automation-rules/{id}/", "admin", ("DELETE",), obj="automation_rule"),
    **api_routes("/api/v1/automation-rules/{id}/runs/", "admin", ("GET",), obj="automation_rule"),
}

COUNTED: list = [Rule, RuleRun]
STAMPED: list = [Rule]


def prepare(world) -> dict[str, dict[str, int]]:
    """One rule with one run (every key points at it: rules belong to nobody)."""
    from django.contrib.contenttypes.models import ContentType

    from rapport.automation.services import rule_save
    from rapport.contacts.models import Company

    content_type = ContentType.objects.get_for_model(Company)
    rule, _warnings = rule_save(
        actor=world.users["admin"],
        rule=Rule(
            name="Matrix customers",
            content_type=content_type,
            trigger="created",
            actions=[{"type": "notify", "recipient": "owner", "title": "New {{ name }}"}],
        ),
    )
    RuleRun.objects.create(
        rule=rule,
        content_type=content_type,
        object_id=world.companies["own"].pk,
        object_repr=world.companies["own"].name,
        trigger_key="created",
        status="done",
    )
    return {key: {"automation_rule": rule.pk} for key in ("own", "team", "foreign")}
