"""Who may use each route and API operation of the analytics app (forecast and reports).

Everyone signed in may open them and sees only the deals and orders of their own scope (a
marketer or a support agent, who hold no deals, gets empty reports); ``hidden_names`` proves that
no customer outside the scope shows up in any report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.permission_base import Route, api_routes

REPORT_NAMES = [
    "pipeline-by-stage",
    "win-rate",
    "sales-cycle",
    "revenue-by-rep",
    "revenue-by-team",
    "revenue-by-territory",
    "revenue-by-source",
    "revenue-by-product",
    "customer-history",
    "profit-and-loss",
]

RULES: dict = {}
WEB: dict[str, Route] = {
    "analytics:forecast": Route("user", query="group_by=owner", hidden_names=True),
    "analytics:report_index": Route("user"),
    # Customer names are what could leak: the top-customers report shows them.
    "analytics:report": Route(
        "user", hidden_names=True, extra_kwargs=lambda w, k: {"name": "customer-history"}
    ),
}
API: dict = {
    **api_routes("/api/v1/forecast/", "user", ("GET",), query="group_by=team", hidden_names=True),
    **{
        op: route
        for name in REPORT_NAMES
        for op, route in api_routes(
            f"/api/v1/reports/{name}/", "user", ("GET",), hidden_names=True
        ).items()
    },
}
COUNTED: list = []
STAMPED: list = []


def prepare(world) -> dict[str, dict[str, int]]:
    """An open deal, a won deal and an order with a line for each of own/team/foreign."""
    from django.utils import timezone

    from rapport.catalog.models import Product
    from rapport.orders.models import Order, OrderLine
    from rapport.sales.models import Deal, Pipeline, Stage

    pipeline = Pipeline.objects.create(name="Analytics matrix pipeline")
    open_stage = Stage.objects.create(pipeline=pipeline, name="Talking", probability=40)
    won_stage = Stage.objects.create(
        pipeline=pipeline, name="Won", position=1, probability=100, kind="won"
    )
    product = Product.objects.create(name="Matrix widget", cost_price=Decimal("5.00"))
    now = timezone.now()
    owners = {"own": "rep", "team": "teammate", "foreign": "outsider"}
    for key, owner_key in owners.items():
        owner, company = world.users[owner_key], world.companies[key]
        common = {"pipeline": pipeline, "company": company, "owner": owner, "team": owner.team}
        Deal.objects.create(
            name=f"Open {key}",
            stage=open_stage,
            amount=Decimal("1000.00"),
            expected_close_date=timezone.localdate(),
            **common,
        )
        Deal.objects.create(
            name=f"Won {key}",
            stage=won_stage,
            status="won",
            amount=Decimal("500.00"),
            closed_at=now - timedelta(days=3),
            **common,
        )
        order = Order.objects.create(
            company=company, owner=owner, team=owner.team, ordered_on=timezone.localdate()
        )
        OrderLine.objects.create(
            order=order,
            product=product,
            description="Matrix widget",
            quantity=Decimal("2"),
            unit_price=Decimal("50.00"),
            cost_price=Decimal("5.00"),
            gross_amount=Decimal("100.00"),
            net_amount=Decimal("90.00"),
        )
    return {}
