"""The administrator's pages: the rule list, the editor (htmx re-renders), the run log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rapport.automation.choices import RunStatus
from rapport.automation.models import Rule, RuleRun
from rapport.automation.tests.helpers import save_rule
from rapport.core.models import ChangeRecord
from rapport.sales.tests.deals_factories import stage


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def _form(pipeline, **extra) -> dict:
    data = {
        "name": "Negotiation → task",
        "is_active": "on",
        "record_type": "sales.deal",
        "trigger": "stage_reached",
        "trigger_stage": str(stage(pipeline, "Negotiation").pk),
        "match": "all",
        "conditions-0-field": "amount",
        "conditions-0-operator": ">=",
        "conditions-0-value": "1000",
        "actions-0-type": "create_task",
        "actions-0-title": "Prepare the contract for {{ name }}",
        "actions-0-assignee": "owner",
        "actions-0-due_in_days": "2",
        "actions-0-priority": "3",
    }
    data.update(extra)
    return data


def test_only_administrators_see_the_pages(world, admin, pipeline):
    rule = save_rule(admin, trigger="created", actions=[{"type": "notify", "title": "x"}])
    for role in ("director", "head", "rep", "auditor"):
        client = Client()
        client.force_login(world.users[role])
        for url in (
            reverse("automation:rule_list"),
            reverse("automation:rule_create"),
            reverse("automation:rule_update", args=[rule.pk]),
            reverse("automation:rule_runs", args=[rule.pk]),
        ):
            assert client.get(url).status_code == 404
        assert client.post(reverse("automation:rule_delete", args=[rule.pk])).status_code == 404
    assert Rule.objects.count() == 1


def test_the_editor_follows_the_choices(admin_client, pipeline):
    url = reverse("automation:rule_create")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="record_type"' in page.content.decode()
    assert "Choose the record type first." in page.content.decode()
    response = admin_client.post(
        url,
        {"_refresh": "1", "record_type": "sales.deal", "trigger": "stage_reached"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("{% load") is False and "<html" not in body  # the part only
    assert 'name="trigger_stage"' in body and "Negotiation" in body
    assert 'name="conditions-0-field"' in body and '<option value="amount">' in body
    # A number field: ordered comparisons, no "contains".
    response = admin_client.post(
        url,
        {
            "_refresh": "1",
            "record_type": "sales.deal",
            "trigger": "created",
            "conditions-0-field": "amount",
            "actions-0-type": "set_field",
            "actions-0-field": "stage",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert '<option value="&gt;=">' in body and '<option value="contains">' not in body
    assert 'name="conditions-1-field"' in body  # a new empty row to add the next one
    assert 'name="actions-0-value"' in body and "Negotiation" in body  # stages to choose from
    assert not Rule.objects.exists()


def test_a_rule_is_made_in_the_editor(admin_client, admin, pipeline):
    response = admin_client.post(reverse("automation:rule_create"), _form(pipeline))
    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("automation:rule_update", args=[rule.pk])
    assert rule.author == admin
    assert rule.trigger_stage == stage(pipeline, "Negotiation").pk
    assert rule.conditions == [{"field": "amount", "operator": ">=", "value": "1000"}]
    assert rule.actions == [
        {
            "type": "create_task",
            "title": "Prepare the contract for {{ name }}",
            "assignee": "owner",
            "user": None,
            "department": None,
            "due_in_days": 2,
            "priority": 3,
        }
    ]
    page = admin_client.get(response["Location"]).content.decode()
    assert "The rule “Negotiation → task” is saved." in page
    assert 'value="Prepare the contract for {{ name }}"' in page
    assert 'name="conditions-1-field"' in page


def test_bad_input_is_shown_and_nothing_saved(admin_client, pipeline):
    before = (Rule.objects.count(), ChangeRecord.objects.count())
    data = _form(pipeline, **{"conditions-0-value": "lots", "actions-0-type": "set_field"})
    data["actions-0-field"] = "status"
    response = admin_client.post(reverse("automation:rule_create"), data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Condition 1: “lots” is not a valid value for “amount”." in body
    assert "Action 1: A rule cannot set “status” of deals." in body
    assert 'value="lots"' in body  # what was typed stays on the page
    assert (Rule.objects.count(), ChangeRecord.objects.count()) == before


def test_saving_an_emailing_rule_warns_about_consent(admin_client, pipeline):
    data = _form(pipeline, **{"actions-0-type": "send_email"})
    data.update({"actions-0-subject": "Your offer", "actions-0-body": "Dear {{ person }}"})
    response = admin_client.post(reverse("automation:rule_create"), data, follow=True)
    assert "withdrawn their consent to e-mails" in response.content.decode()


def test_removing_a_row(admin_client, pipeline):
    data = _form(pipeline, _remove="conditions-0")
    body = admin_client.post(reverse("automation:rule_create"), data).content.decode()
    assert 'name="conditions-0-operator"' not in body
    admin_client.post(reverse("automation:rule_create"), _form(pipeline, _remove=""))
    # Without the (removed) condition the saved rule has none.
    data = _form(pipeline)
    for key in ("conditions-0-field", "conditions-0-operator", "conditions-0-value"):
        data.pop(key)
    data["name"] = "No conditions"
    admin_client.post(reverse("automation:rule_create"), data)
    assert Rule.objects.get(name="No conditions").conditions == []


def test_edit_and_delete(admin_client, admin, pipeline):
    admin_client.post(reverse("automation:rule_create"), _form(pipeline))
    rule = Rule.objects.get()
    url = reverse("automation:rule_update", args=[rule.pk])
    response = admin_client.post(url, _form(pipeline, name="Renamed", is_active=""))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.is_active) == ("Renamed", False)
    response = admin_client.post(reverse("automation:rule_delete", args=[rule.pk]))
    assert response.status_code == 302 and not Rule.objects.exists()


def test_the_list_and_the_run_log(admin_client, admin, pipeline, deal):
    rule = save_rule(
        admin,
        name="Stage rule",
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Proposal").pk,
        actions=[{"type": "notify", "title": "x"}],
    )
    for i, status in enumerate([RunStatus.DONE, RunStatus.FAILED, RunStatus.DONE]):
        RuleRun.objects.create(
            rule=rule,
            content_type_id=rule.content_type_id,
            object_id=deal.pk,
            object_repr=deal.name,
            trigger_key=f"k{i}",
            status=status,
            message="Boom" if status == RunStatus.FAILED else "",
        )
    Rule.objects.filter(pk=rule.pk).update(runs_count=3, failures_count=1)
    body = admin_client.get(reverse("automation:rule_list")).content.decode()
    assert "Deal: stage “Proposal” reached" in body
    assert f"{reverse('automation:rule_runs', args=[rule.pk])}?status=failed" in body
    runs_url = reverse("automation:rule_runs", args=[rule.pk])
    body = admin_client.get(runs_url).content.decode()
    assert body.count('data-run="') == 3
    assert deal.get_absolute_url() in body
    body = admin_client.get(runs_url + "?status=failed").content.decode()
    assert body.count('data-run="') == 1 and "Boom" in body


def test_trying_the_conditions_on_a_record(admin_client, admin, pipeline, deal):
    rule = save_rule(
        admin,
        trigger="created",
        conditions=[{"field": "amount", "operator": ">", "value": "5000"}],
        actions=[{"type": "notify", "title": "x"}],
    )
    url = reverse("automation:rule_try", args=[rule.pk])
    page = admin_client.post(url, {"record": deal.pk}, follow=True).content.decode()
    assert "The conditions do not hold for “Fibre roll-out”" in page
    page = admin_client.post(url, {"record": "999999"}, follow=True).content.decode()
    assert "There is no such record" in page
    assert not RuleRun.objects.exists()


def test_the_list_does_not_query_per_rule(admin_client, admin, pipeline):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse("automation:rule_list")).status_code == 200
        return len(ctx.captured_queries)

    save_rule(
        admin,
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Proposal").pk,
        actions=[{"type": "notify", "title": "x"}],
    )
    count()  # the first request fills the per-process caches (content types)
    few = count()
    for name in ("Negotiation", "Won", "Lost"):
        save_rule(
            admin,
            name=name,
            trigger="stage_reached",
            trigger_stage=stage(pipeline, name).pk,
            actions=[{"type": "notify", "title": "x"}],
        )
    assert count() == few
