"""Who may use each route and API operation of hand-offs between departments.

Each key's owner (rep, teammate, outsider) hands a task about their customer to Marketing, whose
members (the marketer and the support agent) acknowledge or return it."""

from __future__ import annotations

import datetime

from tests.permission_base import Route, api_routes

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}
RECEIVERS = ("marketer", "support")  # the members of Marketing


def sees_handoff(role: str, key: str) -> bool:
    """The sender's side (the sender, their department and its head), the receiving
    department, whoever sees the task; directors, administrators and the auditor see all."""
    if role in ("admin", "director", "auditor") or role in RECEIVERS:
        return True
    if role in ("head", "rep"):
        return key in ("own", "team")
    return role == "outsider" and key == "foreign"


RULES: dict = {
    "handoff": lambda role, key, method: sees_handoff(role, key),
    # Only a member of the receiving department answers a hand-off (not the sender, not an
    # administrator: they are not the ones who have to do it).
    "handoff_member": lambda role, key, method: role in RECEIVERS,
    # Whoever may change the rep's task may hand it over (their head, directors, administrators).
    "handoff_send": lambda role, key, method: role in ("admin", "director", "head", "rep"),
}


def _deadline() -> str:
    from django.utils import timezone

    later = timezone.localtime() + datetime.timedelta(days=2)
    return later.strftime("%Y-%m-%dT%H:%M")


def _send(world, key, actor):
    return {
        "task": world.handoff_unsent.pk,
        "to_department": world.teams["m"].department_id,
        "deadline": _deadline(),
        "note": "Matrix hand-off",
    }


def _reason(world, key, actor):
    return {"reason": "Not ours"}


WEB: dict[str, Route] = {
    "activities:handoff_list": Route("user", hidden_names=True),
    "activities:handoff_create": Route("handoff_send", ("POST",), data=_send),
    "activities:handoff_detail": Route("handoff", obj="handoff"),
    "activities:handoff_acknowledge": Route(
        "handoff_member", ("POST",), obj="handoff", data=lambda w, k, a: {"take": "1"}
    ),
    "activities:handoff_return": Route(
        "handoff_member", ("GET", "POST"), obj="handoff", data=_reason
    ),
}

API: dict[tuple[str, str], Route] = {}


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


def _api_send(world, key, actor):
    from django.utils import timezone

    return {
        "task": world.handoff_unsent.pk,
        "to_department": world.teams["m"].department_id,
        "deadline": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
    }


_api("/api/v1/handoffs/", "user", ("GET",), hidden_names=True)
_api("/api/v1/handoffs/", "handoff_send", ("POST",), data=_api_send)
_api("/api/v1/handoffs/{id}/", "handoff", ("GET",), obj="handoff")
_api(
    "/api/v1/handoffs/{id}/acknowledge/",
    "handoff_member",
    ("POST",),
    obj="handoff",
    data=lambda w, k, a: {"take": True},
)
_api("/api/v1/handoffs/{id}/return/", "handoff_member", ("POST",), obj="handoff", data=_reason)


def _models():
    from rapport.activities.models import Handoff, Task
    from rapport.core.models import Notification

    return [Handoff, Task, Notification], [Handoff, Task]


COUNTED, STAMPED = _models()


def prepare(world) -> dict[str, dict[str, int]]:
    """A hand-off to Marketing per key, sent by the key's owner through the service, and a
    task of the rep's not yet handed over (for the create routes)."""
    from django.utils import timezone

    from rapport.activities.services.handoffs import handoff_send
    from rapport.activities.services.tasks import task_create

    marketing = world.teams["m"].department
    due = timezone.now() + datetime.timedelta(days=3)
    objects = {}
    for key, owner_role in OWNERS.items():
        owner = world.users[owner_role]
        task = task_create(
            actor=owner,
            title=f"Matrix delivery {key}",
            assignee=owner,
            company=world.companies[key],
            due_at=due,
        )
        handoff = handoff_send(
            actor=owner,
            task=task,
            to_department=marketing,
            deadline=due - datetime.timedelta(days=1),
            note="Matrix",
        )
        objects[key] = {"handoff": handoff.pk}
    rep = world.users["rep"]
    world.handoff_unsent = task_create(
        actor=rep, title="Matrix unsent", assignee=rep, company=world.companies["own"], due_at=due
    )
    return objects
