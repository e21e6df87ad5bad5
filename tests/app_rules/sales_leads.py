"""Who may use each route and API operation of sales_leads (leads, web forms, distribution)."""

from __future__ import annotations

import io

from rapport.sales.models import Deal, DistributionRule, Lead, LeadWebForm
from tests.permission_base import Route, api_routes, sees_customer

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def assigns_lead(role: str, key: str | None) -> bool:
    """Heads hand out the leads of their department; directors and administrators any lead."""
    if role in ("admin", "director"):
        return True
    return role == "head" and sees_customer(role, key or "own")


RULES: dict = {
    # Leads are owned like customers (owner + team): the customer rules restate their scope.
    "lead_queue": lambda role, key, method: role in ("admin", "director", "head", "auditor"),
    "lead_assign": lambda role, key, method: assigns_lead(role, key),
}


def _lead_form(world, key, actor):
    owner = world.users[OWNERS[key]]
    return {
        "last_name": f"Lead{key}-edited",
        "email": f"lead.{key}@matrix.example",
        "source": "manual",
        "owner": owner.pk,
        "team": owner.team_id,
    }


def _csv(world, key, actor):
    data = io.BytesIO(b"last_name,company,email\nImported,Matrix Import Lead,imp@matrix.example\n")
    data.name = "leads.csv"
    return {"file": data, "campaign": "Matrix"}


def _convert(world, key, actor):
    return {"pipeline": world.lead_pipeline}


def _assign(world, key, actor):
    return {"user": world.users["teammate"].pk}


WEB: dict[str, Route] = {
    "sales:lead_list": Route("user", hidden_names=True),
    "sales:lead_queue": Route("lead_queue", hidden_names=True),
    "sales:lead_create": Route(
        "writer",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "last_name": "Matrixlead",
            "email": "new.lead@matrix.example",
            "source": "manual",
        },
    ),
    "sales:lead_import": Route("writer", ("GET", "POST"), data=_csv),
    # A lead import's progress and report: its owner's, like every job (rule "job").
    "sales:lead_import_job": Route("job", ("GET",), obj="lead_job"),
    "sales:lead_detail": Route("customer", obj="lead"),
    "sales:lead_update": Route("customer_change", ("GET", "POST"), obj="lead", data=_lead_form),
    "sales:lead_delete": Route(
        "customer_change", ("GET", "POST"), obj="lead", data=lambda w, k, a: {}
    ),
    "sales:lead_status": Route(
        "customer_change", ("POST",), obj="lead", data=lambda w, k, a: {"step": "qualify"}
    ),
    "sales:lead_disqualify": Route(
        "customer_change",
        ("GET", "POST"),
        obj="lead",
        data=lambda w, k, a: {"reason": "no_need", "note": "matrix"},
    ),
    "sales:lead_convert": Route("customer_change", ("GET", "POST"), obj="lead", data=_convert),
    "sales:lead_assign": Route("lead_assign", ("GET", "POST"), obj="lead", data=_assign),
    "sales:webform": Route(
        "public",
        ("GET", "POST"),
        data=lambda w, k, a: {"last_name": "Robot"},
        extra_kwargs=lambda w, k: {"key": "matrix-form"},
    ),
    "sales:webform_admin": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "name": "Matrix new form",
            "key": "matrix-new-form",
            "team": w.teams["a"].pk,
            "is_active": "on",
        },
    ),
    "sales:webform_admin_update": Route(
        "admin",
        ("GET", "POST"),
        obj="webform",
        data=lambda w, k, a: {
            "name": "Matrix form renamed",
            "key": "matrix-form",
            "team": w.teams["a"].pk,
        },
    ),
    "sales:distribution_rules": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "name": "Matrix new rule",
            "position": "3",
            "method": "queue",
            "team": w.teams["b"].pk,
        },
    ),
    "sales:distribution_rule_update": Route(
        "admin",
        ("GET", "POST"),
        obj="rule",
        data=lambda w, k, a: {
            "name": "Matrix rule renamed",
            "position": "9",
            "method": "round_robin",
            "team": w.teams["a"].pk,
        },
    ),
}

API: dict[tuple[str, str], Route] = {}
_BASE = "/api/v1/leads/"
API.update(api_routes(_BASE, "user", ("GET",), hidden_names=True))
API.update(
    api_routes(
        _BASE,
        "writer",
        ("POST",),
        data=lambda w, k, a: {"last_name": "Apilead", "email": "api.lead@matrix.example"},
    )
)
API.update(api_routes(_BASE + "import/", "writer", ("POST",), data=_csv))
API.update(api_routes(_BASE + "{id}/", "customer", ("GET",), obj="lead"))
API.update(api_routes(_BASE + "{id}/", "customer", ("PUT",), obj="lead", data=_lead_form))
API.update(
    api_routes(
        _BASE + "{id}/", "customer", ("PATCH",), obj="lead", data=lambda w, k, a: {"campaign": "X"}
    )
)
API.update(api_routes(_BASE + "{id}/", "customer", ("DELETE",), obj="lead"))
API.update(
    api_routes(_BASE + "{id}/qualify/", "customer", ("POST",), obj="lead", data=lambda w, k, a: {})
)
API.update(
    api_routes(
        _BASE + "{id}/disqualify/",
        "customer",
        ("POST",),
        obj="lead",
        data=lambda w, k, a: {"reason": "spam"},
    )
)
API.update(api_routes(_BASE + "{id}/convert/", "customer", ("POST",), obj="lead", data=_convert))
API.update(api_routes(_BASE + "{id}/assign/", "lead_assign", ("POST",), obj="lead", data=_assign))


# The intake's administration: everyone reads, administrators change.
def _web_form_json(world, key, actor):
    return {"name": "API form", "key": "api-matrix-form", "team": world.teams["a"].pk}


def _rule_json(world, key, actor):
    return {"name": "API rule", "method": "queue", "team": world.teams["b"].pk, "position": 4}


for _path, _obj, _data in (
    ("/api/v1/lead-web-forms/", "webform", _web_form_json),
    ("/api/v1/distribution-rules/", "rule", _rule_json),
):
    API.update(api_routes(_path, "user", ("GET",)))
    API.update(api_routes(_path, "admin", ("POST",), data=_data))
    API.update(api_routes(_path + "{id}/", "user", ("GET",), obj=_obj))
    API.update(
        api_routes(_path + "{id}/", "admin", ("PUT", "PATCH", "DELETE"), obj=_obj, data=_data)
    )


COUNTED: list = [Lead, LeadWebForm, DistributionRule, Deal]
STAMPED: list = [Lead, LeadWebForm, DistributionRule]


def prepare(world) -> dict[str, dict[str, int]]:
    from rapport.sales.choices import StageKind
    from rapport.sales.models import Pipeline, Stage
    from rapport.sales.services.lead_imports import lead_import_start
    from rapport.sales.services.leads import lead_create

    pipeline = Pipeline.objects.create(name="Matrix leads pipeline", currency="EUR")
    Stage.objects.create(pipeline=pipeline, name="First", position=1, kind=StageKind.OPEN)
    world.lead_pipeline = pipeline.pk
    form = LeadWebForm.objects.create(name="Matrix form", key="matrix-form", team=world.teams["a"])
    # Inactive: it must not change where the other routes' leads go.
    rule = DistributionRule.objects.create(
        name="Matrix rule", team=world.teams["a"], is_active=False
    )
    leads: dict[str, Lead] = {}
    for key, owner in OWNERS.items():
        user = world.users[owner]
        leads[key] = lead_create(
            actor=user,
            owner=user,
            first_name="Matrix",
            last_name=f"Lead{key}",
            company_name=f"Matrix {key} Lead Works",
            email=f"lead.{key}@matrix.example",
        )
    jobs = {
        key: lead_import_start(
            actor=world.users[owner],
            file_name="leads.csv",
            content=b"last_name,email\nJobbed,jobbed@matrix.example\n",
        )
        for key, owner in OWNERS.items()
    }
    return {
        key: {"lead": leads[key].pk, "webform": form.pk, "rule": rule.pk, "lead_job": jobs[key].pk}
        for key in OWNERS
    }
