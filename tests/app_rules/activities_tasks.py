"""Who may use each route and API operation of tasks and the notification centre.

A task is seen and changed like the customer it is about (its assignee's and author's side, their
heads, the department whose queue it waits in); the team view is for heads and those who see
everything; a notification only ever by its recipient."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.permission_base import Route, api_routes

OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def _owner(world, key):
    return world.users[OWNERS[key]]


def _soon() -> str:
    return (timezone.now() + datetime.timedelta(days=3)).isoformat()


RULES: dict = {
    "task_team": lambda role, key, method: role in ("admin", "director", "head", "auditor"),
    # Only the recipient: the rep's (own) and the outsider's (foreign); nobody in the matrix
    # plays the teammate.
    "own_notification": lambda role, key, method: (
        (role, key)
        in {
            ("rep", "own"),
            ("outsider", "foreign"),
        }
    ),
}


def _task_form(world, key, actor):
    return {"title": "Matrix task (edited)", "assignee": _owner(world, key).pk, "priority": "3"}


WEB: dict[str, Route] = {
    "activities:task_list": Route("user", hidden_names=True),
    "activities:task_team": Route("task_team", hidden_names=True),
    "activities:task_queue": Route("user", hidden_names=True),
    "activities:no_next_step": Route("user", hidden_names=True),
    "activities:task_create": Route(
        "writer",
        ("GET", "POST"),
        data=lambda w, k, a: {
            "title": "Matrix new task",
            "assignee": a.pk if a else "",
            "priority": "2",
        },
    ),
    "activities:task_detail": Route("customer", obj="task"),
    "activities:task_update": Route(
        "customer_change", ("GET", "POST"), obj="task", data=_task_form
    ),
    "activities:task_delete": Route("customer_change", ("POST",), obj="task"),
    "activities:task_status": Route(
        "customer_change", ("POST",), obj="task", data=lambda w, k, a: {"status": "done"}
    ),
    "activities:task_take": Route("customer_change", ("POST",), obj="task_queue"),
    "activities:task_check": Route(
        "customer_change",
        ("POST",),
        obj="task",
        extra_kwargs=lambda w, k: {"index": 0},
        data=lambda w, k, a: {"done": "on"},
    ),
    "activities:notification_list": Route("user"),
    # Polled by every page: a signed-out page gets an empty answer that stops the polling.
    "activities:notification_badge": Route("public"),
    "activities:notification_menu": Route("user"),
    "activities:notification_read_all": Route("user", ("POST",)),
    "activities:notification_open": Route("own_notification", obj="notification"),
}

API: dict[tuple[str, str], Route] = {}


def _api(path: str, rule: str, methods: tuple[str, ...], **kwargs) -> None:
    API.update(api_routes(path, rule, methods, **kwargs))


_api("/api/v1/tasks/", "user", ("GET",), hidden_names=True)
_api(
    "/api/v1/tasks/",
    "log_activity",  # a writer who sees the customer the task is about
    ("POST",),
    obj="company",
    data=lambda w, k, a: {
        "title": "Matrix API task",
        "assignee": a.pk if a else None,
        "company": w.companies[k].pk,
        "due_at": _soon(),
    },
)
_api("/api/v1/tasks/{id}/", "customer", ("GET", "DELETE"), obj="task")
_api(
    "/api/v1/tasks/{id}/",
    "customer",
    ("PUT", "PATCH"),
    obj="task",
    data=lambda w, k, a: {"title": "Matrix renamed"},
)
_api(
    "/api/v1/tasks/{id}/status/",
    "customer",
    ("POST",),
    obj="task",
    data=lambda w, k, a: {"status": "in_progress"},
)
_api("/api/v1/tasks/{id}/take/", "customer", ("POST",), obj="task_queue")
_api("/api/v1/notifications/", "user", ("GET",))
_api("/api/v1/notifications/{id}/", "own_notification", ("GET",), obj="notification")
_api("/api/v1/notifications/{id}/read/", "own_notification", ("POST",), obj="notification")
_api("/api/v1/notifications/read-all/", "user", ("POST",))


def _counted():
    from rapport.activities.models import Task
    from rapport.core.models import Notification

    return [Task, Notification], [Task]


COUNTED, STAMPED = _counted()


def prepare(world) -> dict[str, dict[str, int]]:
    """Per key: a task of the customer's owner on the customer (with a checklist), a task about
    it waiting in the owner's department's queue, and a notification to the owner."""
    from rapport.activities.services.tasks import task_create
    from rapport.core.notifications import notify

    due = timezone.now() + datetime.timedelta(days=2)
    objects = {}
    for key in OWNERS:
        owner, company = _owner(world, key), world.companies[key]
        task = task_create(
            actor=owner,
            title=f"Matrix task {key}",
            assignee=owner,
            record=company,
            due_at=due,
            checklist=["First", "Second"],
        )
        queued = task_create(
            actor=owner,
            title=f"Matrix queued {key}",
            department=owner.team.department,
            record=company,
            due_at=due,
        )
        [note] = notify(
            users=[owner], kind="reminder", title=f"Matrix note {key}", url="/tasks/", key=key
        )
        objects[key] = {"task": task.pk, "task_queue": queued.pk, "notification": note.pk}
    return objects
