"""Automation rules in the API: administrators only, the same validation as the editor, the
run log per rule."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rapport.accounts.services import token_create
from rapport.automation.choices import RunStatus
from rapport.automation.models import Rule, RuleRun
from rapport.automation.tests.helpers import save_rule
from rapport.core.models import ChangeRecord
from rapport.sales.tests.deals_factories import stage

URL = "/api/v1/automation-rules/"


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(actor=user, name='t')[1]}")
    return client


def _rule_json(pipeline, **extra) -> dict:
    return {
        "name": "Negotiation → task",
        "record_type": "sales.deal",
        "trigger": "stage_reached",
        "trigger_stage": stage(pipeline, "Negotiation").pk,
        "conditions": [{"field": "amount", "operator": ">=", "value": 1000}],
        "actions": [{"type": "create_task", "title": "Call {{ name }}", "due_in_days": 2}],
        **extra,
    }


def test_create_read_update_delete(admin, pipeline):
    client = _client(admin)
    response = client.post(URL, _rule_json(pipeline), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["record_type"] == "sales.deal"
    assert data["author"] == admin.pk
    assert data["conditions"] == [{"field": "amount", "operator": ">=", "value": "1000"}]
    assert data["actions"][0]["assignee"] == "owner"
    assert data["warnings"] == []
    rule_url = f"{URL}{data['id']}/"
    assert client.get(URL).json()["results"][0]["name"] == "Negotiation → task"
    response = client.patch(
        rule_url,
        {"actions": [{"type": "send_email", "subject": "Hi", "body": "Text"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert "withdrawn their consent" in response.json()["warnings"][0]
    assert client.delete(rule_url).status_code == 204
    assert not Rule.objects.exists()


def test_bad_input_is_refused_with_the_reasons_by_field(admin, pipeline):
    client = _client(admin)
    before = (Rule.objects.count(), ChangeRecord.objects.count())
    response = client.post(
        URL,
        _rule_json(
            pipeline,
            conditions=[{"field": "password", "operator": "=", "value": "x"}],
            actions=[{"type": "set_field", "field": "status", "value": "won"}],
        ),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["conditions"] == [
        "Condition 1: “password” is not a field of deals a rule can use."
    ]
    assert fields["actions"][0].startswith("Action 1: A rule cannot set “status” of deals.")
    response = client.post(URL, _rule_json(pipeline, record_type="auth.user"), format="json")
    assert response.status_code == 400 and "record_type" in response.json()["fields"]
    assert (Rule.objects.count(), ChangeRecord.objects.count()) == before


@pytest.mark.parametrize("role", ["director", "head", "rep", "auditor"])
def test_other_roles_are_kept_out(world, admin, pipeline, role):
    rule = save_rule(admin, trigger="created", actions=[{"type": "notify", "title": "x"}])
    client = _client(world.users[role])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{rule.pk}/runs/").status_code == 403
    assert client.post(URL, _rule_json(pipeline), format="json").status_code in (403, 404)
    assert client.delete(f"{URL}{rule.pk}/").status_code in (403, 404)
    assert Rule.objects.count() == 1


def test_the_run_log(admin, deal):
    rule = save_rule(admin, trigger="created", actions=[{"type": "notify", "title": "x"}])
    for i, status in enumerate([RunStatus.DONE, RunStatus.FAILED, RunStatus.DONE]):
        RuleRun.objects.create(
            rule=rule,
            content_type_id=rule.content_type_id,
            object_id=deal.pk,
            object_repr=deal.name,
            trigger_key=f"k{i}",
            status=status,
        )
    client = _client(admin)
    data = client.get(f"{URL}{rule.pk}/runs/").json()
    assert data["count"] == 3
    assert data["results"][0]["record_type"] == "sales.deal"
    assert data["results"][0]["object_id"] == deal.pk
    failed = client.get(f"{URL}{rule.pk}/runs/?status=failed&limit=1").json()
    assert failed["count"] == 1 and failed["results"][0]["status"] == "failed"
