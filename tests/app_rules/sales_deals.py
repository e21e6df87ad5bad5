"""Who may use each route and API operation of sales_deals."""

from __future__ import annotations

from tests.permission_base import Route, api_routes  # noqa: F401

RULES: dict = {}
WEB: dict[str, Route] = {}
API: dict[tuple[str, str], Route] = {}
COUNTED: list = []
STAMPED: list = []


def prepare(world) -> dict[str, dict[str, int]]:
    return {}
