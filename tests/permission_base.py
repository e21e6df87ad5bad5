"""What the permission declarations are made of: roles, record keys, rules and routes.

Shared by tests/permission_rules.py (the foundation's routes) and tests/app_rules/<app>.py (each
later app declares its own routes there; permission_rules merges them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ROLES = [
    "anonymous",
    "admin",
    "director",
    "head",
    "rep",
    "outsider",
    "marketer",
    "support",
    "auditor",
]
KEYS = ["own", "team", "foreign"]
WRITE = {"POST", "PUT", "PATCH", "DELETE"}


# Who may do what, restated from the user's side (the scoping code must agree) -----------------
def sees_customer(role: str, key: str) -> bool:
    if role in ("admin", "director", "auditor"):
        return True
    if role in ("head", "rep"):  # the head's department and the rep's team hold own + team
        return key in ("own", "team")
    if role == "outsider":
        return key == "foreign"
    return False  # marketing and service teams hold none of these customers


def changes_customer(role: str, key: str) -> bool:
    return role != "auditor" and sees_customer(role, key)


def changes_activity(role: str, key: str) -> bool:
    """Only the author, their head of department, a director or an administrator."""
    if role in ("admin", "director"):
        return True
    if role == "head":
        return key in ("own", "team")
    if role == "rep":
        return key == "own"
    return role == "outsider" and key == "foreign"


def owns_job(role: str, key: str) -> bool:
    return changes_activity(role, key) or role == "auditor"


RULES: dict[str, Callable[[str, str | None, str], bool]] = {
    "public": lambda role, key, method: True,
    "user": lambda role, key, method: role != "anonymous",
    "writer": lambda role, key, method: role not in ("anonymous", "auditor"),
    "admin": lambda role, key, method: role == "admin",
    "changelog": lambda role, key, method: role in ("admin", "director", "auditor"),
    "customer": lambda role, key, method: (
        changes_customer(role, key) if method in WRITE else sees_customer(role, key)
    ),
    "customer_change": lambda role, key, method: changes_customer(role, key),
    "log_activity": lambda role, key, method: role != "auditor" and sees_customer(role, key),
    "activity": lambda role, key, method: (
        changes_activity(role, key) if method in WRITE else sees_customer(role, key)
    ),
    "activity_change": lambda role, key, method: changes_activity(role, key),
    "job": lambda role, key, method: owns_job(role, key),
    "token": lambda role, key, method: role == "rep",
}


@dataclass
class Route:
    rule: str
    methods: tuple[str, ...] = ("GET",)
    obj: str | None = None  # which kind of record the URL points at
    data: Callable | None = None  # (world, key, actor) -> POST data
    query: str = ""
    hidden_names: bool = False  # a list/search: out-of-scope names must not appear
    extra_kwargs: Callable | None = None
    write_methods_are_reads: bool = False


def api_routes(
    path: str,
    rule: str,
    methods: tuple[str, ...],
    obj: str | None = None,
    data=None,
    query: str = "",
    hidden_names=False,
    reads=False,
) -> dict[tuple[str, str], Route]:
    """One Route per method of an API path."""
    return {
        (path, method): Route(
            rule,
            (method,),
            obj=obj,
            data=data,
            query=query,
            hidden_names=hidden_names,
            write_methods_are_reads=reads,
        )
        for method in methods
    }
