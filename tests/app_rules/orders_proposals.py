"""Who may use each route and API operation of orders_proposals.

Proposals are owned like deals (owner and team copied from the deal): the rules are those of
the customer records ("customer", "customer_change"), and deciding on a discount belongs to a
director, an administrator or the head of the deal's department."""

from __future__ import annotations

from tests.permission_base import Route, api_routes

KEY_OWNERS = {"own": "rep", "team": "teammate", "foreign": "outsider"}


def _approves(role: str, key: str | None, method: str) -> bool:
    return role in ("admin", "director") or (role == "head" and key in ("own", "team"))


RULES: dict = {"proposal_approve": _approves}


def _proposal(title: str):
    from rapport.orders.models import Proposal

    return Proposal.objects.get(title=title, version=1)


def _rev(prefix: str):
    def data(world, key, actor):
        return {"revision": _proposal(f"{prefix} {key}").revision}

    return data


def _header(world, key, actor):
    proposal = _proposal(f"Matrix proposal {key}")
    return {
        "revision": proposal.revision,
        "title": f"Matrix proposal {key}",
        "language": "en",
        "person": world.people[key].pk,
    }


def _line_add(world, key, actor):
    return {
        "revision": _proposal(f"Matrix proposal {key}").revision,
        "description": "Matrix consulting",
        "quantity": "2",
        "unit_price": "10",
    }


def _line_update(world, key, actor):
    return {
        "revision": _proposal(f"Matrix proposal {key}").revision,
        "description": "Matrix line edited",
        "quantity": "3",
        "unit_price": "100",
        "discount_percent": "0",
    }


def _send(world, key, actor):
    return {
        "revision": _proposal(f"Matrix proposal {key}").revision,
        "person": world.people[key].pk,
    }


def _decide(world, key, actor):
    return {"revision": _proposal(f"Matrix pending {key}").revision, "decision": "approve"}


def _api_create(world, key, actor):
    from rapport.sales.models import Deal

    return {"deal": Deal.objects.get(name="Matrix proposal deal own").pk, "title": "Via API"}


WEB: dict[str, Route] = {
    "orders:proposal_list": Route("user", hidden_names=True),
    "orders:proposal_create": Route(
        "customer_change",
        ("GET", "POST"),
        obj="proposal_deal",
        data=lambda w, k, a: {"title": "Matrix new proposal"},
    ),
    "orders:proposal_detail": Route("customer", ("GET", "POST"), obj="proposal", data=_header),
    "orders:proposal_line_add": Route("customer_change", ("POST",), obj="proposal", data=_line_add),
    "orders:proposal_line_update": Route(
        "customer_change", ("POST",), obj="proposal_line", data=_line_update
    ),
    "orders:proposal_line_delete": Route(
        "customer_change", ("POST",), obj="proposal_line", data=_rev("Matrix proposal")
    ),
    "orders:proposal_pdf": Route("customer", obj="proposal"),
    "orders:proposal_send": Route("customer_change", ("GET", "POST"), obj="proposal", data=_send),
    "orders:proposal_accept": Route(
        "customer_change", ("POST",), obj="proposal", data=_rev("Matrix proposal")
    ),
    "orders:proposal_reject": Route(
        "customer_change", ("POST",), obj="proposal_sent", data=_rev("Matrix sent")
    ),
    "orders:proposal_new_version": Route(
        "customer_change", ("POST",), obj="proposal", data=_rev("Matrix proposal")
    ),
    "orders:proposal_decide_discount": Route(
        "proposal_approve", ("POST",), obj="proposal_pending", data=_decide
    ),
}

BASE = "/api/v1/proposals/"
API: dict[tuple[str, str], Route] = {
    **api_routes(BASE, "user", ("GET",), hidden_names=True),
    **api_routes(BASE, "customer", ("POST",), data=_api_create),
    **api_routes(BASE + "{id}/", "customer", ("GET",), obj="proposal"),
    **api_routes(
        BASE + "{id}/",
        "customer",
        ("PATCH",),
        obj="proposal",
        data=lambda w, k, a: {"title": "Edited via API"},
    ),
    **api_routes(BASE + "{id}/", "customer", ("DELETE",), obj="proposal"),
    **api_routes(BASE + "{id}/lines/", "customer", ("GET",), obj="proposal"),
    **api_routes(BASE + "{id}/lines/", "customer", ("POST",), obj="proposal", data=_line_add),
    **api_routes(BASE + "{id}/send/", "customer", ("POST",), obj="proposal", data=_send),
    **api_routes(
        BASE + "{id}/accept/", "customer", ("POST",), obj="proposal", data=lambda w, k, a: {}
    ),
    **api_routes(
        BASE + "{id}/reject/", "customer", ("POST",), obj="proposal_sent", data=lambda w, k, a: {}
    ),
    **api_routes(
        BASE + "{id}/new-version/", "customer", ("POST",), obj="proposal", data=lambda w, k, a: {}
    ),
    **api_routes(
        BASE + "{id}/approve-discount/",
        "proposal_approve",
        ("POST",),
        obj="proposal_pending",
        data=lambda w, k, a: {"decision": "approve"},
    ),
    **api_routes(BASE + "{id}/pdf/", "customer", ("GET",), obj="proposal"),
    **api_routes("/api/v1/proposal-lines/{id}/", "customer", ("GET",), obj="proposal_line"),
    **api_routes(
        "/api/v1/proposal-lines/{id}/",
        "customer",
        ("PATCH",),
        obj="proposal_line",
        data=lambda w, k, a: {"quantity": "4"},
    ),
    **api_routes("/api/v1/proposal-lines/{id}/", "customer", ("DELETE",), obj="proposal_line"),
}


def _models():
    from rapport.orders.models import Proposal, ProposalLine

    return [Proposal, ProposalLine]


COUNTED: list = _models()
STAMPED: list = _models()


def prepare(world) -> dict[str, dict[str, int]]:
    """A deal per key (owned like the key's customer) with three proposals: a draft with a line,
    a draft whose discount waits for approval, and a sent one."""
    from rapport.orders.models import Proposal
    from rapport.orders.services.proposals import proposal_create, proposal_line_add
    from rapport.sales.models import Deal, DealContact, Pipeline, Stage

    pipeline, _ = Pipeline.objects.get_or_create(
        name="Proposal matrix pipeline", defaults={"currency": "EUR"}
    )
    stage, _ = Stage.objects.get_or_create(pipeline=pipeline, name="Offer", position=1)
    objects = {}
    for key, owner_role in KEY_OWNERS.items():
        owner = world.users[owner_role]
        deal = Deal.objects.create(
            name=f"Matrix proposal deal {key}",
            pipeline=pipeline,
            stage=stage,
            company=world.companies[key],
            person=world.people[key],
            currency="EUR",
            owner=owner,
            team=owner.team,
        )
        DealContact.objects.create(deal=deal, person=world.people[key])
        made = {}
        for name, title, discount in (
            ("proposal", "Matrix proposal", "0"),
            ("proposal_pending", "Matrix pending", "40"),
            ("proposal_sent", "Matrix sent", "0"),
        ):
            proposal = proposal_create(actor=owner, deal=deal, title=f"{title} {key}")
            line = proposal_line_add(
                actor=owner,
                proposal=proposal,
                description="Matrix service",
                quantity="1",
                unit_price="100",
                discount_percent=discount,
            )
            made[name] = proposal.pk
            if name == "proposal":
                made["proposal_line"] = line.pk
        Proposal.objects.filter(pk=made["proposal_sent"]).update(status="sent")
        objects[key] = {**made, "proposal_deal": deal.pk}
    return objects
