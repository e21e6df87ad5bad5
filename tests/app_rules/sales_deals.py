"""Who may use each route and API operation of sales_deals: pipelines, deals, the board."""

from __future__ import annotations

from rapport.sales.models import (
    Deal,
    DealCompetitor,
    DealContact,
    DealParticipant,
    DealStageChange,
    LostReason,
    Pipeline,
    Stage,
)
from tests.permission_base import WRITE, Route, api_routes


# Deals are owned like customers: the rep's own deal, the teammate's (same team) and the
# outsider's (another team and department) --------------------------------------------------
def sees_deal(role: str, key: str) -> bool:
    if role in ("admin", "director", "auditor"):
        return True
    if role in ("head", "rep"):  # the rep's team holds own + team; so does the head's department
        return key in ("own", "team")
    if role == "outsider":
        return key == "foreign"
    return False  # marketing and service own no deals


def changes_deal(role: str, key: str) -> bool:
    return role != "auditor" and sees_deal(role, key)


RULES: dict = {
    "deal": lambda role, key, method: (
        changes_deal(role, key) if method in WRITE else sees_deal(role, key)
    ),
    "deal_change": lambda role, key, method: changes_deal(role, key),
}


def _deal_form(world, key, actor):
    return {
        "name": "Matrix deal (edited)",
        "pipeline": world.deals_pipeline.pk,
        "company": world.companies[key or "own"].pk,
        "amount": "10.00",
        "currency": "EUR",
        "source": "manual",
        "owner": (actor.pk if actor else ""),
    }


def _deal_json(world, key, actor):
    return {
        "name": "API matrix deal",
        "pipeline": world.deals_pipeline.pk,
        "company": world.companies[key or "own"].pk,
        "amount": "10.00",
    }


def _stage(name):
    return lambda world, key, actor: {"stage": world.deals_stages[name]}


WEB: dict[str, Route] = {
    "sales:deal_list": Route("user", hidden_names=True),
    "sales:deal_create": Route("writer", ("GET", "POST"), data=_deal_form),
    # Exporting is reading: everyone exports the deals they see; the job is its owner's.
    "sales:deal_export": Route("user", ("POST",), data=lambda w, k, a: {"query": "status=open"}),
    "sales:deal_export_job": Route("job", ("GET",), obj="deal_export_job"),
    "sales:deal_detail": Route("deal", obj="deal", hidden_names=False),
    "sales:deal_update": Route("deal_change", ("GET", "POST"), obj="deal", data=_deal_form),
    "sales:deal_delete": Route("deal_change", ("GET", "POST"), obj="deal"),
    "sales:deal_move": Route("deal_change", ("POST",), obj="deal", data=_stage("Proposal")),
    "sales:deal_part_add": Route(
        "deal_change",
        ("POST",),
        obj="deal",
        data=lambda w, k, a: {"kind": "competitor", "competitor-company": w.companies[k].pk},
    ),
    "sales:deal_part_remove": Route(
        "deal_change",
        ("POST",),
        obj="deal",
        data=lambda w, k, a: {"kind": "contact", "id": w.deals_contacts[k]},
    ),
    "sales:board_default": Route("user"),
    "sales:board": Route("user", obj="pipeline", hidden_names=True),
    "sales:board_column": Route("user", obj="stage", hidden_names=True),
    "sales:pipeline_list": Route(
        "admin",
        ("GET", "POST"),
        data=lambda w, k, a: {"name": "Matrix pipeline", "currency": "EUR", "position": 5},
    ),
    "sales:pipeline_update": Route(
        "admin",
        ("GET", "POST"),
        obj="pipeline",
        data=lambda w, k, a: {"name": "Renamed pipeline", "currency": "EUR", "position": 1},
    ),
    "sales:stage_reorder": Route(
        "admin",
        ("POST",),
        obj="pipeline",
        data=lambda w, k, a: {"stage": list(reversed(w.deals_stages.values()))},
    ),
    "sales:stage_update": Route(
        "admin",
        ("GET", "POST"),
        obj="stage",
        data=lambda w, k, a: {"name": "Renamed", "kind": "open", "probability": 5, "position": 0},
    ),
    "sales:lost_reason_list": Route(
        "admin", ("GET", "POST"), data=lambda w, k, a: {"name": "Matrix reason"}
    ),
    "sales:lost_reason_update": Route(
        "admin", ("GET", "POST"), obj="lost_reason", data=lambda w, k, a: {"name": "Renamed"}
    ),
}

API: dict[tuple[str, str], Route] = {}


def _api(path, rule, methods, **kwargs):
    API.update(api_routes(path, rule, methods, **kwargs))


_api("/api/v1/pipelines/", "user", ("GET",))
_api(
    "/api/v1/pipelines/",
    "admin",
    ("POST",),
    data=lambda w, k, a: {"name": "API pipeline", "stages": [{"name": "First"}]},
)
_api("/api/v1/pipelines/{id}/", "user", ("GET",), obj="pipeline")
for _method in ("PUT", "PATCH", "DELETE"):
    _api(
        "/api/v1/pipelines/{id}/",
        "admin",
        (_method,),
        obj="pipeline",
        data=lambda w, k, a: {"name": "API renamed", "currency": "EUR"},
    )
# A stage without deals (``stage_id`` of the objects); a stage with deals is refused (400).
_api("/api/v1/pipelines/{id}/stages/{stage_id}/", "admin", ("DELETE",), obj="pipeline")
_api("/api/v1/lost-reasons/", "user", ("GET",))
_api("/api/v1/lost-reasons/", "admin", ("POST",), data=lambda w, k, a: {"name": "API reason"})
_api("/api/v1/lost-reasons/{id}/", "user", ("GET",), obj="lost_reason")
for _method in ("PUT", "PATCH", "DELETE"):
    _api(
        "/api/v1/lost-reasons/{id}/",
        "admin",
        (_method,),
        obj="lost_reason",
        data=lambda w, k, a: {"name": "API renamed reason"},
    )
_api("/api/v1/deals/", "user", ("GET",), hidden_names=True)
_api("/api/v1/deals/", "writer", ("POST",), data=_deal_json)
_api("/api/v1/deals/{id}/", "deal", ("GET",), obj="deal")
_api("/api/v1/deals/{id}/", "deal", ("PUT",), obj="deal", data=_deal_json)
_api("/api/v1/deals/{id}/", "deal", ("PATCH",), obj="deal", data=lambda w, k, a: {"amount": "5"})
_api("/api/v1/deals/{id}/", "deal", ("DELETE",), obj="deal")
_api("/api/v1/deals/{id}/move/", "deal", ("POST",), obj="deal", data=_stage("Won"))
_api("/api/v1/deals/{id}/stage-history/", "deal", ("GET",), obj="deal")


COUNTED = [
    Deal,
    DealStageChange,
    DealContact,
    DealParticipant,
    DealCompetitor,
    Pipeline,
    Stage,
    LostReason,
]
STAMPED = [Deal, DealContact, DealCompetitor, Pipeline, Stage, LostReason]


def prepare(world) -> dict[str, dict[str, int]]:
    from rapport.sales.services.deal_exports import deal_export_start
    from rapport.sales.services.deals import deal_contact_add, deal_create
    from rapport.sales.services.pipelines import lost_reason_save, pipeline_create_with_stages

    admin = world.user("admin")
    pipeline = pipeline_create_with_stages(
        actor=admin,
        name="Matrix pipeline base",
        stages=[
            {"name": "Qualification", "probability": 10},
            {"name": "Proposal", "probability": 50},
            {"name": "Won", "probability": 100, "kind": "won"},
            {"name": "Lost", "probability": 0, "kind": "lost"},
            {"name": "Spare", "probability": 5},
        ],
    )
    reason = lost_reason_save(actor=admin, reason=LostReason(name="Matrix price"))
    world.deals_pipeline = pipeline
    world.deals_stages = {s.name: s.pk for s in pipeline.stages.order_by("position")}
    world.deals_contacts = {}
    owners = {"own": "rep", "team": "teammate", "foreign": "outsider"}
    objects = {}
    for key, owner in owners.items():
        user = world.user(owner)
        deal = deal_create(
            actor=user, name=f"Deal of {key}", pipeline=pipeline, company=world.companies[key]
        )
        world.deals_contacts[key] = deal_contact_add(
            actor=user, deal=deal, person=world.people[key]
        ).pk
        objects[key] = {
            "deal": deal.pk,
            "pipeline": pipeline.pk,
            "stage": world.deals_stages["Qualification"],
            "lost_reason": reason.pk,
            "stage_id": world.deals_stages["Spare"],
            "deal_export_job": deal_export_start(actor=user, query="sort=name").pk,
        }
    return objects
