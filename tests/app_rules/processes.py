"""Who may use each route and API operation of the processes app: templates (read by everyone,
kept by administrators and heads), running processes (seen like their customer, changed by the
controller's side), starting one on a record one sees, analytics."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.permission_base import Route, api_routes, changes_activity, sees_customer

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}

RULES: dict = {
    # A process on a deal is seen by whoever sees the deal's customer (and by its controller
    # and executors: here the deal's owner, who sees it anyway).
    "process": lambda role, key, method: sees_customer(role, key),
    # Its controller and whoever started it (the deal's owner), their heads, directors and
    # administrators change it: the same people who change the owner's activities.
    "process_change": lambda role, key, method: changes_activity(role, key),
    # Anyone who may write and sees the record may start a process on it.
    "process_start": lambda role, key, method: role != "auditor" and sees_customer(role, key),
    "template_manage": lambda role, key, method: role in ("admin", "head"),
}


def _when(days: int) -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=days)


def _local(days: int, hours: int = 0) -> str:
    return (_when(days) + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _template_form(world, key, actor):
    return {"name": "Matrix template (edited)", "record_type": "sales.deal", "is_active": "on"}


def _stage_form(world, key, actor):
    return {
        "stage-name": "Matrix stage",
        "stage-executor_role": "sales_rep",
        "stage-duration_value": "2",
        "stage-duration_unit": "days",
        "stage-checklist": "One\nTwo",
        "stage-documents": "",
        "stage-is_skippable": "on",
    }


def _schedule_form(world, key, actor):
    return {
        "planned_start": _local(10),
        "planned_end": _local(11),
        "executor_user": world.users[OWNERS[key]].pk,
    }


def _start_form(world, key, actor):
    return {"template": world.processes["start_template"]}


WEB: dict[str, Route] = {
    "processes:dashboard": Route("user", hidden_names=True, query="overdue=false"),
    "processes:analytics": Route("user"),
    "processes:process_detail": Route("process", obj="process"),
    "processes:process_start": Route(
        "process_start",
        ("POST",),
        obj="process_deal",
        data=_start_form,
        extra_kwargs=lambda w, k: {"record_type": "sales.deal"},
    ),
    "processes:process_cancel": Route(
        "process_change", ("POST",), obj="process", data=lambda w, k, a: {"reason": "Matrix"}
    ),
    "processes:stage_skip": Route(
        "process_change",
        ("POST",),
        obj="process_stage",
        data=lambda w, k, a: {"reason": "Matrix reason"},
    ),
    "processes:stage_update": Route(
        "process_change", ("GET", "POST"), obj="process_stage_pending", data=_schedule_form
    ),
    "processes:template_list": Route("user"),
    "processes:template_detail": Route("user", obj="process_template"),
    "processes:template_create": Route("template_manage", ("GET", "POST"), data=_template_form),
    "processes:template_update": Route(
        "template_manage", ("GET", "POST"), obj="process_template_spare", data=_template_form
    ),
    "processes:template_stage_create": Route(
        "template_manage", ("GET", "POST"), obj="process_template", data=_stage_form
    ),
    "processes:template_stage_update": Route(
        "template_manage", ("GET", "POST"), obj="process_template_stage", data=_stage_form
    ),
    "processes:template_stage_move": Route(
        "template_manage",
        ("POST",),
        obj="process_template_stage",
        data=lambda w, k, a: {"to": "down"},
    ),
}

API: dict[tuple[str, str], Route] = {}


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


def _template_json(world, key, actor):
    return {
        "name": "API process",
        "record_type": "sales.deal",
        "stages": [{"name": "Only step", "executor_role": "sales_rep", "duration_value": 1}],
    }


_api("/api/v1/process-templates/", "user", ("GET",))
_api("/api/v1/process-templates/", "template_manage", ("POST",), data=_template_json)
_api("/api/v1/process-templates/{id}/", "user", ("GET",), obj="process_template")
for _method in ("PUT", "PATCH", "DELETE"):
    _api(
        "/api/v1/process-templates/{id}/",
        "template_manage",
        (_method,),
        obj="process_template_spare",
        data=lambda w, k, a: {"name": "API renamed", "record_type": "sales.deal"},
    )
_api("/api/v1/processes/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/processes/",
    "process_start",
    ("POST",),
    obj="process",  # the deal of the key is in the body
    data=lambda w, k, a: {
        "template": w.processes["start_template"],
        "record_type": "sales.deal",
        "record_id": w.processes[k]["deal"],
    },
)
_api("/api/v1/processes/{id}/", "process", ("GET",), obj="process")
_api(
    "/api/v1/processes/{id}/cancel/",
    "process_change",
    ("POST",),
    obj="process",
    data=lambda w, k, a: {"reason": "Matrix"},
)
_api(
    "/api/v1/processes/{id}/stages/{process_stage_id}/skip/",
    "process_change",
    ("POST",),
    obj="process",
    data=lambda w, k, a: {"reason": "Matrix reason"},
)
_api(
    "/api/v1/processes/{id}/stages/{process_stage_id}/",
    "process_change",
    ("PATCH",),
    obj="process",
    data=lambda w, k, a: {
        "planned_end": (timezone.now() + datetime.timedelta(days=20)).isoformat()
    },
)


def _counted():
    from rapport.processes.models import (
        ProcessInstance,
        ProcessStage,
        ProcessStageTemplate,
        ProcessTemplate,
    )

    models = [ProcessTemplate, ProcessStageTemplate, ProcessInstance, ProcessStage]
    return models, models


COUNTED, STAMPED = _counted()


def prepare(world) -> dict[str, dict[str, int]]:
    """A deal per key (of its owner) with a process running on it (controller: the owner; the
    first stage active, the second pending), a spare template and one to start."""
    from decimal import Decimal

    from rapport.processes.services.instances import process_start
    from rapport.processes.services.templates import template_create
    from rapport.sales.models import Pipeline, Stage
    from rapport.sales.services.deals import deal_create

    admin = world.user("admin")
    steps = [
        {"name": "Matrix first", "executor_role": "sales_rep", "duration_value": 2},
        {"name": "Matrix second", "executor_role": "sales_rep", "duration_value": 3},
    ]
    template = template_create(
        actor=admin, name="Matrix process", record_type="sales.deal", stages=steps
    )
    spare = template_create(
        actor=admin, name="Matrix spare", record_type="sales.deal", stages=steps[:1]
    )
    to_start = template_create(
        actor=admin, name="Matrix start", record_type="sales.deal", stages=steps[:1]
    )
    pipeline, _created = Pipeline.objects.get_or_create(name="Matrix process pipeline")
    Stage.objects.get_or_create(pipeline=pipeline, name="Open", position=0)
    world.processes = {"start_template": to_start.pk}
    objects = {}
    for key, owner_name in OWNERS.items():
        owner = world.users[owner_name]
        deal = deal_create(
            actor=owner,
            pipeline=pipeline,
            company=world.companies[key],
            person=world.people[key],
            name=f"Process matrix deal {key}",
            amount=Decimal("10"),
        )
        instance = process_start(actor=owner, template=template, record=deal, controller=owner)
        first, second = instance.stages.order_by("position")
        world.processes[key] = {"deal": deal.pk}
        objects[key] = {
            "process": instance.pk,
            "process_deal": deal.pk,
            "process_stage": first.pk,
            "process_stage_id": first.pk,
            "process_stage_pending": second.pk,
            "process_template": template.pk,
            "process_template_stage": template.stages.order_by("position").first().pk,
            "process_template_spare": spare.pk,
        }
    return objects
