"""Saving rules: everything checked against the record type's model, bad input refused whole
with a clear message, warnings for what deserves a second look."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.automation.models import Rule
from rapport.automation.selectors import content_type_for
from rapport.automation.services import rule_delete, rule_save
from rapport.automation.tests.helpers import save_rule
from rapport.core.models import ChangeRecord
from rapport.sales.tests.deals_factories import stage

NOTIFY = {"type": "notify", "recipient": "owner", "title": "Look at {{ name }}"}


def _refused(actor, **fields) -> dict:
    """Save a rule that must be refused; return its errors by field, having checked that
    nothing at all was written."""
    before = (Rule.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(ValidationError) as caught:
        save_rule(actor, **fields)
    assert (Rule.objects.count(), ChangeRecord.objects.count()) == before
    return caught.value.message_dict


def test_a_valid_rule_is_stored_in_its_clean_form(admin, pipeline):
    rule = save_rule(
        admin,
        name="  Big   deals ",
        trigger="created",
        conditions=[
            {"field": "amount", "operator": ">=", "value": " 1000.50 "},
            {"field": "currency", "operator": "in", "value": "EUR, USD"},
            {"field": "owner", "operator": "=", "value": str(admin.pk)},
            {"field": "expected_close_date", "operator": "<", "value": "2027-01-31"},
            {"field": "description", "operator": "is_empty"},
        ],
        actions=[{**NOTIFY, "email": "on"}],
    )
    rule.refresh_from_db()
    assert rule.name == "Big deals"
    assert rule.author == admin
    assert rule.conditions == [
        {"field": "amount", "operator": ">=", "value": "1000.50"},
        {"field": "currency", "operator": "in", "value": ["EUR", "USD"]},
        {"field": "owner", "operator": "=", "value": admin.pk},
        {"field": "expected_close_date", "operator": "<", "value": "2027-01-31"},
        {"field": "description", "operator": "is_empty", "value": None},
    ]
    assert rule.actions[0]["email"] is True
    assert ChangeRecord.objects.filter(object_id=rule.pk, action="create").exists()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "secret_sauce", "operator": "=", "value": "1"}, "is not a field of deals"),
        ({"field": "search_text", "operator": "=", "value": "x"}, "is not a field of deals"),
        ({"field": "amount", "operator": "contains", "value": "1"}, "cannot be used with"),
        ({"field": "expected_close_date", "operator": "in", "value": "x"}, "cannot be used"),
        ({"field": "amount", "operator": ">", "value": "a lot"}, "is not a valid value"),
        ({"field": "amount", "operator": ">", "value": "NaN"}, "is not a valid value"),
        ({"field": "expected_close_date", "operator": "<", "value": "31.02.2026"}, "not a valid"),
        ({"field": "currency", "operator": "=", "value": "XYZ"}, "from its list"),
        ({"field": "owner", "operator": "=", "value": "999999"}, "There is no user"),
        ({"field": "owner", "operator": "=", "value": "me"}, "is not a valid value"),
        ({"field": "amount", "operator": ">"}, "Give a value"),
        ({"field": "amount", "operator": "in", "value": []}, "separated by commas"),
        ({"field": "name", "operator": "=", "value": {"__class__": 1}}, "is not a valid value"),
        ("amount > 5", "needs a field, an operator and a value"),
    ],
)
def test_bad_conditions_are_refused_with_the_reason(admin, pipeline, condition, expected):
    errors = _refused(admin, trigger="created", conditions=[condition], actions=[NOTIFY])
    assert errors["conditions"][0].startswith("Condition 1: ")
    assert expected in errors["conditions"][0]


def test_conditions_must_be_a_list(admin):
    errors = _refused(admin, trigger="created", conditions={"field": "x"}, actions=[NOTIFY])
    assert errors["conditions"] == ["Conditions must be a list."]


@pytest.mark.parametrize(
    ("fields", "key", "expected"),
    [
        (
            {"trigger": "field_changed", "trigger_field": "nonsense"},
            "trigger_field",
            "not recorded",
        ),
        ({"trigger": "field_changed"}, "trigger_field", "Choose the field to watch."),
        (
            {"trigger": "date_approaching", "trigger_field": "amount", "days_before": 3},
            "trigger_field",
            "a date",
        ),
        (
            {"trigger": "date_approaching", "trigger_field": "expected_close_date"},
            "days_before",
            "0 to 365",
        ),
        (
            {"trigger": "stage_reached", "trigger_stage": 999999},
            "trigger_stage",
            "Choose the stage.",
        ),
        ({"trigger": "whenever"}, "trigger", "Choose when the rule runs."),
    ],
)
def test_bad_triggers_are_refused(admin, pipeline, fields, key, expected):
    errors = _refused(admin, actions=[NOTIFY], **fields)
    assert expected in " ".join(errors[key])


def test_people_have_no_stages(admin, pipeline):
    errors = _refused(
        admin,
        record_type="contacts.person",
        trigger="stage_reached",
        trigger_stage=stage(pipeline, "Negotiation").pk,
        actions=[NOTIFY],
    )
    assert errors["trigger"] == ["People have no stages."]


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"type": "launch_rockets"}, "Choose what the action does."),
        ({"type": "create_task", "title": ""}, "Give the task a title."),
        ({"type": "create_task", "title": "T", "due_in_days": "-1"}, "due in 0 to 365 days"),
        ({"type": "create_task", "title": "T", "assignee": "user", "user": 999999}, "active user"),
        ({"type": "create_task", "title": "{{ owner.password }}"}, "Only placeholders"),
        ({"type": "create_task", "title": "Hi {{ password }}"}, "is not a field of deals"),
        ({"type": "set_field", "field": "status", "value": "won"}, "cannot set “status”"),
        ({"type": "set_field", "field": "amount", "value": "1"}, "cannot set “amount”"),
        ({"type": "set_field", "field": "probability", "value": "150"}, "is not allowed for"),
        ({"type": "set_field", "field": "probability", "value": "many"}, "is not a valid value"),
        ({"type": "set_field", "field": "owner", "value": "999999"}, "There is no user"),
        ({"type": "send_email", "subject": "", "body": ""}, "subject and a text"),
        ({"type": "notify", "recipient": "user", "user": None, "title": "x"}, "active user"),
        ({"type": "notify", "recipient": "owner", "title": ""}, "Give the notification a title."),
    ],
)
def test_bad_actions_are_refused(admin, pipeline, action, expected):
    errors = _refused(admin, trigger="created", actions=[NOTIFY, action])
    assert errors["actions"][0].startswith("Action 2: ")
    assert expected in errors["actions"][0]


def test_a_rule_needs_an_action(admin):
    errors = _refused(admin, trigger="created", actions=[])
    assert errors["actions"] == ["Add at least one action."]


def test_a_task_for_a_department_without_members_is_refused(admin):
    from rapport.accounts.models import Department

    empty = Department.objects.create(name="Nobody here")
    errors = _refused(
        admin,
        trigger="created",
        actions=[
            {"type": "create_task", "title": "T", "assignee": "department", "department": empty.pk}
        ],
    )
    assert "has no members" in errors["actions"][0]


def test_companies_have_no_person_to_email(admin):
    errors = _refused(
        admin,
        record_type="contacts.company",
        trigger="created",
        actions=[{"type": "send_email", "subject": "Hi", "body": "Text"}],
    )
    assert "have no contact person to e-mail" in errors["actions"][0]


def test_an_emailing_rule_is_saved_with_a_consent_warning(admin):
    rule = Rule(
        name="Welcome",
        content_type_id=content_type_for("contacts.person").pk,
        trigger="created",
        actions=[{"type": "send_email", "subject": "Welcome {{ first_name }}", "body": "Hi"}],
    )
    rule, warnings = rule_save(actor=admin, rule=rule)
    assert rule.pk
    assert any("withdrawn their consent" in w for w in warnings)


def test_a_rule_that_would_trigger_itself_without_end_is_refused(admin):
    errors = _refused(
        admin,
        trigger="field_changed",
        trigger_field="probability",
        actions=[{"type": "set_field", "field": "probability", "value": "50"}],
    )
    assert "would trigger itself without end" in errors["actions"][0]


def test_a_self_setting_rule_with_a_stopping_condition_is_saved_with_a_warning(admin):
    rule = Rule(
        name="Round up",
        content_type_id=content_type_for("sales.deal").pk,
        trigger="field_changed",
        trigger_field="probability",
        conditions=[{"field": "probability", "operator": "!=", "value": "50"}],
        actions=[{"type": "set_field", "field": "probability", "value": "50"}],
    )
    rule, warnings = rule_save(actor=admin, rule=rule)
    assert any("the field it watches" in w for w in warnings)


def test_rules_that_set_each_other_off_get_a_warning(admin):
    save_rule(
        admin,
        name="A",
        trigger="field_changed",
        trigger_field="probability",
        actions=[{"type": "set_field", "field": "description", "value": "x"}],
    )
    rule = Rule(
        name="B",
        content_type_id=content_type_for("sales.deal").pk,
        trigger="field_changed",
        trigger_field="description",
        actions=[{"type": "set_field", "field": "probability", "value": "40"}],
    )
    _rule, warnings = rule_save(actor=admin, rule=rule)
    assert any("“B” → “A” → “B”" in w for w in warnings)


def test_only_administrators_save_and_delete_rules(world, admin):
    rule = save_rule(admin, trigger="created", actions=[NOTIFY])
    for role in ("director", "head", "rep", "auditor"):
        with pytest.raises(PermissionDenied):
            save_rule(world.users[role], trigger="created", actions=[NOTIFY])
        with pytest.raises(PermissionDenied):
            rule_delete(actor=world.users[role], rule=rule)
    assert Rule.objects.count() == 1
    rule_delete(actor=admin, rule=rule)
    assert not Rule.objects.exists()
