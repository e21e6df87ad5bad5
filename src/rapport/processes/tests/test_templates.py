"""Process templates: kept by administrators and heads, each stage with exactly one executor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from rapport.accounts.models import Department
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeRecord
from rapport.processes.models import ProcessStageTemplate, ProcessTemplate
from rapport.processes.services.templates import (
    stage_template_move,
    template_create,
    template_delete,
    template_update,
)
from rapport.processes.tests.factories import make_template, start_on_deal


def _counts():
    return (
        ProcessTemplate.objects.count(),
        ProcessStageTemplate.objects.count(),
        ChangeRecord.objects.count(),
    )


def test_a_head_keeps_templates_a_rep_cannot(world):
    head = world.users["head"]
    template = make_template(head)
    assert [s.name for s in template.stages.order_by("position")] == [
        "Qualification",
        "Proposal",
        "Approval",
        "Contract",
    ]
    assert ChangeRecord.objects.filter(object_id=template.pk, action="create").exists()
    for role in ("rep", "director", "auditor"):
        with pytest.raises(PermissionDenied):
            template_update(actor=world.users[role], template=template, name="Mine")
    # Everyone reads templates; only administrators and heads change them.
    assert ProcessTemplate.objects.restrict(world.users["rep"]).count() == 1
    assert not ProcessTemplate.objects.restrict(world.users["rep"], "change").exists()
    assert not ProcessTemplate.objects.restrict(world.users["director"], "change").exists()
    assert ProcessTemplate.objects.restrict(head, "change").count() == 1


def test_a_stage_without_an_executor_is_refused_and_nothing_is_written(world):
    admin = world.users["admin"]
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        template_create(
            actor=admin,
            name="Broken",
            record_type="sales.deal",
            stages=[
                {"name": "Fine", "executor_role": "sales_rep"},
                {"name": "Nobody does it", "duration_value": 1},
            ],
        )
    assert exc.value.message_dict["stages"] == [
        "Stage 2: Choose who carries out the stage: a role, a department or a person."
    ]
    assert _counts() == before
    sales = Department.objects.get(name="Sales")
    with pytest.raises(ValidationError, match="Choose only one executor"):
        template_create(
            actor=admin,
            name="Two executors",
            record_type="sales.deal",
            stages=[{"name": "Both", "executor_role": "head", "executor_department": sales}],
        )
    with pytest.raises(ValidationError) as exc:
        template_create(actor=admin, name="Odd", record_type="sales.nothing")
    assert "record_type" in exc.value.message_dict
    assert _counts() == before


def test_stages_are_replaced_in_order_and_moved(world):
    admin = world.users["admin"]
    template = make_template(admin)
    kept = template.stages.get(name="Proposal")
    template_update(
        actor=admin,
        template=template,
        stages=[
            {"id": kept.pk, "name": "Proposal and prices", "executor_role": "sales_rep"},
            {"name": "Handover", "executor_user": world.users["teammate"], "duration_value": 3},
        ],
    )
    stages = list(template.stages.order_by("position"))
    assert [(s.name, s.position) for s in stages] == [
        ("Proposal and prices", 0),
        ("Handover", 1),
    ]
    assert stages[0].pk == kept.pk
    stage_template_move(actor=admin, stage=stages[1], up=True)
    assert list(template.stages.order_by("position").values_list("name", flat=True)) == [
        "Handover",
        "Proposal and prices",
    ]


def test_a_started_template_keeps_its_record_type_and_is_not_deleted(world):
    admin = world.users["admin"]
    instance, _deal = start_on_deal(world)
    template = instance.template
    with pytest.raises(ValidationError, match="cannot change"):
        template_update(actor=admin, template=template, record_type="orders.order")
    with pytest.raises(DomainError, match="deactivate it instead"):
        template_delete(actor=admin, template=template)
    # Changing the template does not touch the running process's stages.
    template_update(
        actor=admin, template=template, stages=[{"name": "Only", "executor_role": "head"}]
    )
    assert instance.stages.count() == 4
    spare = make_template(admin, name="Spare")
    template_delete(actor=admin, template=spare)
    assert not ProcessTemplate.objects.filter(pk=spare.pk).exists()


def test_web_a_head_creates_a_template_and_its_stages(world):
    client = Client()
    client.force_login(world.users["head"])
    response = client.post(
        "/processes/templates/new/",
        {"name": "Complaint handling", "record_type": "contacts.company", "is_active": "on"},
    )
    template = ProcessTemplate.objects.get(name="Complaint handling")
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    before = _counts()
    response = client.post(
        f"/processes/templates/{template.pk}/stages/new/",
        {"stage-name": "Investigate", "stage-duration_value": "2", "stage-duration_unit": "days"},
    )
    assert response.status_code == 422
    assert "Choose who carries out the stage: a role, a department or a person." in (
        response.content.decode()
    )
    assert _counts() == before
    response = client.post(
        f"/processes/templates/{template.pk}/stages/new/",
        {
            "stage-name": "Investigate",
            "stage-executor_role": "support",
            "stage-duration_value": "2",
            "stage-duration_unit": "days",
            "stage-checklist": "Call the customer\n\nCheck the delivery",
            "stage-documents": "Report",
            "stage-is_skippable": "on",
        },
    )
    assert response.status_code == 302
    stage = template.stages.get()
    assert stage.checklist == ["Call the customer", "Check the delivery"]
    assert stage.documents == ["Report"] and stage.is_skippable
    page = client.get(template.get_absolute_url()).content.decode()
    assert "Investigate" in page and "support agent" in page and "Call the customer" in page
    # A rep reads the template but gets none of the keeping pages.
    rep = Client()
    rep.force_login(world.users["rep"])
    assert rep.get(template.get_absolute_url()).status_code == 200
    assert "New stage" not in rep.get(template.get_absolute_url()).content.decode()
    assert rep.get("/processes/templates/new/").status_code == 404
    assert (
        rep.post(f"/processes/templates/stages/{stage.pk}/edit/", {"delete": "1"}).status_code
        == 404
    )
    assert template.stages.count() == 1
