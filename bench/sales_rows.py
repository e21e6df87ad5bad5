"""The deals' and orders' rows of bench/generate_sales.py, written last: a deal's row from its plan,
its stage history, and an order's state and totals from what was invoiced, paid and shipped."""

from __future__ import annotations

import datetime as dt

from bench.sales_data import SOURCES, cents, thousandths


def order_status(order, invoiced_quantity: dict, shipped_quantity: dict) -> str:
    """As the services move it: completed once everything is invoiced, paid and shipped; in
    progress from the first invoice, which every order has."""
    if order["cancelled"]:
        return "cancelled"
    paid = order["paid"] >= order["totals"][1] + order["totals"][2]
    done = paid and not order["planned_shipment"]
    for line_id, _line, numbers in order["lines"]:
        full = numbers[0] * 1000
        if invoiced_quantity.get(line_id, 0) < full or shipped_quantity.get(line_id, 0) < full:
            done = False
    return "completed" if done and order["lines"] else "in_progress"


def order_rows(table, orders, clock, invoiced_quantity: dict, shipped_quantity: dict):
    """The orders' rows; sets each order's ``status``."""
    for order in orders:
        deal = order["deal"]
        gross, net, tax, _cost = order["totals"]
        stamp = clock.ts(deal["closed"])
        order["status"] = order_status(order, invoiced_quantity, shipped_quantity)
        yield table.row(
            id=order["id"],
            created_at=stamp,
            updated_at=stamp,
            number=f"BO{order['id']:07d}",
            currency=deal["currency"],
            language="en",
            subtotal=cents(gross),
            discount_total=cents(gross - net),
            net_total=cents(net),
            tax_total=cents(tax),
            total=cents(net + tax),
            status=order["status"],
            ordered_on=dt.date.fromtimestamp(deal["closed"]).isoformat(),
            invoiced_total=cents(order["invoiced"]),
            paid_total=cents(order["paid"]),
            company_id=deal["company"],
            person_id=deal["person"],
            owner_id=deal["owner"],
            team_id=deal["team"],
            deal_id=deal["id"],
            proposal_id=order["proposal"],
        )


def order_line_rows(table, orders, clock, invoiced_quantity: dict, shipped_quantity: dict):
    for order in orders:
        stamp = clock.ts(order["deal"]["closed"])
        for line_id, line, _numbers in order["lines"]:
            yield table.row(
                id=line_id,
                order_id=order["id"],
                quantity_invoiced=thousandths(invoiced_quantity.get(line_id, 0)),
                quantity_shipped=thousandths(shipped_quantity.get(line_id, 0)),
                **{**line, "created_at": stamp, "updated_at": stamp},
            )


def deal_rows(table, deals, lost_reasons, clock, rng):
    for d in deals:
        pipe = d["pipeline"]
        status = d["status"]
        yield table.row(
            id=d["id"],
            created_at=clock.ts(d["created"]),
            updated_at=clock.ts(d["stage_at"]),
            name=f"{pipe['noun'].capitalize()} {d['company_name']}"[:200],
            pipeline_id=pipe["id"],
            stage_id=d["stage"],
            status=status,
            company_id=d["company"],
            person_id=d["person"],
            amount=cents(d["amount"]),
            currency=d["currency"],
            expected_close_date=d["close_date"].isoformat(),
            probability=None if rng.random() < 0.9 or status != "open" else rng.randrange(5, 95),
            source=rng.choice(SOURCES),
            lost_reason_id=rng.choice(lost_reasons) if status == "lost" else None,
            stage_changed_at=clock.ts(d["stage_at"]),
            closed_at=clock.ts(d["closed"]) if d["closed"] else None,
            owner_id=d["owner"],
            team_id=d["team"],
        )


def change_rows(table, changes, clock):
    for n, (deal, from_stage, to_stage, moment, actor, seconds) in enumerate(changes, 1):
        yield table.row(
            id=n,
            deal_id=deal,
            from_stage_id=from_stage,
            to_stage_id=to_stage,
            changed_at=clock.ts(moment),
            actor_id=actor,
            seconds_in_from_stage=seconds,
        )
