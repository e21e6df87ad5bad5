"""The API of what only had administration pages: lead web forms, distribution rules, and
deleting a stage of a pipeline."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.accounts.services import token_create
from rapport.core.models import ChangeRecord
from rapport.sales.models import DistributionRule, LeadWebForm, Stage
from rapport.sales.services.leads import lead_create
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, stage

FORMS = "/api/v1/lead-web-forms/"
RULES = "/api/v1/distribution-rules/"


def _api(world, role, language="en") -> Client:
    token = token_create(actor=world.user(role), name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


# Web forms ------------------------------------------------------------------------------------
def test_an_administrator_manages_web_forms_and_everyone_reads_them(world):
    admin = _api(world, "admin")
    response = _post(
        admin,
        FORMS,
        {"name": "Price request", "key": "price", "team": world.teams["a"].pk, "campaign": "Web"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["team_name"] == "Team A" and created["is_active"] is True
    form = LeadWebForm.objects.get(pk=created["id"])
    assert ChangeRecord.objects.filter(object_id=form.pk, object_repr="Price request").exists()

    rep = _api(world, "rep")
    listed = rep.get(FORMS).json()
    assert [f["key"] for f in listed["results"]] == ["price"]
    assert rep.get(f"{FORMS}{form.pk}/").json()["campaign"] == "Web"

    renamed = admin.patch(
        f"{FORMS}{form.pk}/", {"name": "Quote request"}, content_type="application/json"
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Quote request"
    form.refresh_from_db()
    assert form.name == "Quote request"


def test_people_who_are_not_administrators_change_no_web_form(world):
    form = LeadWebForm.objects.create(name="Contact", key="contact", team=world.teams["a"])
    for role in ("head", "rep", "director", "auditor"):
        client = _api(world, role)
        assert (
            _post(client, FORMS, {"name": "X", "key": "x", "team": world.teams["a"].pk}).status_code
            == 403
        )
        patched = client.patch(f"{FORMS}{form.pk}/", {"name": "Y"}, content_type="application/json")
        assert patched.status_code == 403
        assert client.delete(f"{FORMS}{form.pk}/").status_code == 403
    assert list(LeadWebForm.objects.values_list("name", flat=True)) == ["Contact"]


def test_a_web_form_for_an_unknown_team_or_with_a_taken_key_is_refused(world):
    LeadWebForm.objects.create(name="Contact", key="contact", team=world.teams["a"])
    admin = _api(world, "admin")
    unknown = _post(admin, FORMS, {"name": "New", "key": "new", "team": 999999})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid" and "team" in unknown.json()["fields"]
    taken = _post(admin, FORMS, {"name": "Again", "key": "contact", "team": world.teams["a"].pk})
    assert taken.status_code == 400
    assert "already exists" in taken.json()["fields"]["key"][0]
    bad_key = _post(admin, FORMS, {"name": "Bad", "key": "no spaces!", "team": world.teams["a"].pk})
    assert bad_key.status_code == 400 and "key" in bad_key.json()["fields"]
    assert LeadWebForm.objects.count() == 1


def test_deleting_a_web_form_keeps_its_leads_and_removes_its_rules(world):
    form = LeadWebForm.objects.create(name="Contact", key="contact", team=world.teams["a"])
    DistributionRule.objects.create(name="From the form", web_form=form, team=world.teams["a"])
    lead = lead_create(
        actor=world.user("rep"), last_name="Kalna", email="k@example.com", web_form=form
    )
    response = _api(world, "admin").delete(f"{FORMS}{form.pk}/")
    assert response.status_code == 204
    assert not LeadWebForm.objects.exists() and not DistributionRule.objects.exists()
    lead.refresh_from_db()
    assert lead.web_form_id is None


# Distribution rules ---------------------------------------------------------------------------
def test_a_rule_made_through_the_api_gives_new_leads_to_its_person(world):
    admin = _api(world, "admin")
    response = _post(
        admin,
        RULES,
        {
            "name": "Web leads to the teammate",
            "method": "user",
            "team": world.teams["a"].pk,
            "user": world.user("teammate").pk,
            "source": "web_form",
        },
    )
    assert response.status_code == 201, response.content
    rule = response.json()
    assert rule["last_assigned"] is None and rule["position"] == 0
    assert _api(world, "rep").get(RULES).json()["results"][0]["name"] == rule["name"]

    lead = lead_create(
        actor=world.user("head"), last_name="Ozola", email="o@example.com", source="web_form"
    )
    assert lead.owner == world.user("teammate") and lead.team == world.teams["a"]

    moved = admin.patch(
        f"{RULES}{rule['id']}/",
        {"method": "queue", "is_active": False},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["user"] is None  # only a "to one person" rule names a person
    assert admin.delete(f"{RULES}{rule['id']}/").status_code == 204
    assert not DistributionRule.objects.exists()
    actions = ChangeRecord.objects.filter(object_id=rule["id"], object_repr=rule["name"])
    assert sorted(actions.values_list("action", flat=True)) == ["create", "delete", "update"]


@pytest.mark.parametrize(
    ("body", "field", "english", "russian"),
    [
        (
            {"method": "user"},
            "user",
            "Choose the person who gets the leads.",
            "Выберите сотрудника, который получает лиды.",
        ),
        (
            {"method": "user", "user": "outsider"},
            "user",
            "Choose a member of the rule's team.",
            "Выберите участника команды, указанной в правиле.",
        ),
    ],
)
def test_a_rule_without_its_person_is_refused_in_the_callers_language(
    world, body, field, english, russian
):
    data = {"name": "To nobody", "team": world.teams["a"].pk, **body}
    if "user" in data:
        data["user"] = world.user(data["user"]).pk
    for language, message in (("en", english), ("ru", russian)):
        response = _post(_api(world, "admin", language), RULES, data)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert response.json()["fields"][field] == [message]
    assert not DistributionRule.objects.exists()


def test_a_rule_for_an_unknown_team_or_without_a_team_is_refused(world):
    admin = _api(world, "admin")
    unknown = _post(admin, RULES, {"name": "Lost", "method": "queue", "team": 999999})
    assert unknown.status_code == 400 and "team" in unknown.json()["fields"]
    missing = _post(admin, RULES, {"name": "No team", "method": "round_robin"})
    assert missing.status_code == 400 and "team" in missing.json()["fields"]
    bad_method = _post(
        admin, RULES, {"name": "?", "method": "lottery", "team": world.teams["a"].pk}
    )
    assert bad_method.status_code == 400 and "method" in bad_method.json()["fields"]
    assert not DistributionRule.objects.exists()
    assert (
        _post(_api(world, "rep"), RULES, {"name": "R", "team": world.teams["a"].pk}).status_code
        == 403
    )
    assert not DistributionRule.objects.exists()


# Deleting a stage -----------------------------------------------------------------------------
def test_an_administrator_deletes_an_empty_stage_but_not_one_with_deals(world):
    pipeline = make_pipeline(world.user("admin"))
    make_deal(world.user("rep"), pipeline, world.companies["own"])  # in "Qualification"
    admin = _api(world, "admin")
    empty = stage(pipeline, "Negotiation")
    response = admin.delete(f"/api/v1/pipelines/{pipeline.pk}/stages/{empty.pk}/")
    assert response.status_code == 204
    assert not Stage.objects.filter(pk=empty.pk).exists()
    assert ChangeRecord.objects.filter(
        object_id=empty.pk, action="delete", parent_object_id=pipeline.pk
    ).exists()
    names = [s["name"] for s in admin.get(f"/api/v1/pipelines/{pipeline.pk}/").json()["stages"]]
    assert "Negotiation" not in names

    busy = stage(pipeline, "Qualification")
    for language, message in (
        ("en", "Deals are in the stage “Qualification”; move them first."),
        ("ru", "На этапе «Qualification» есть сделки; сначала переместите их."),
    ):
        refused = _api(world, "admin", language).delete(
            f"/api/v1/pipelines/{pipeline.pk}/stages/{busy.pk}/"
        )
        assert refused.status_code == 400
        assert refused.json() == {"code": "in_use", "detail": message, "fields": {}}
    assert Stage.objects.filter(pk=busy.pk).exists()


def test_a_stage_that_deals_passed_through_is_kept_for_their_history(world):
    from rapport.sales.services.deals import deal_move

    pipeline = make_pipeline(world.user("admin"))
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"])
    deal_move(actor=world.user("rep"), deal=deal, stage=stage(pipeline, "Proposal"))
    left = stage(pipeline, "Qualification")  # no deal is in it now, but the history is
    refused = _api(world, "admin").delete(f"/api/v1/pipelines/{pipeline.pk}/stages/{left.pk}/")
    assert refused.status_code == 400 and refused.json()["code"] == "in_use"
    assert Stage.objects.filter(pk=left.pk).exists()


def test_a_stage_is_deleted_only_through_its_own_pipeline_and_only_by_an_administrator(world):
    first = make_pipeline(world.user("admin"))
    other = make_pipeline(world.user("admin"), name="Renewals")
    spare = stage(first, "Negotiation")
    admin = _api(world, "admin")
    assert admin.delete(f"/api/v1/pipelines/{other.pk}/stages/{spare.pk}/").status_code == 404
    assert admin.delete(f"/api/v1/pipelines/{first.pk}/stages/999999/").status_code == 404
    for role in ("head", "rep", "director", "auditor"):
        url = f"/api/v1/pipelines/{first.pk}/stages/{spare.pk}/"
        assert _api(world, role).delete(url).status_code == 403
    assert Stage.objects.filter(pk=spare.pk).exists()
