#!/usr/bin/env python
"""Fill the sales tables of a benchmark database (after bench/generate.py filled its customers).

    .venv/bin/python bench/generate_sales.py --postgres                 # rapport_bench
    .venv/bin/python bench/generate_sales.py --database-url sqlite:///… --scale 0.05
    .venv/bin/python bench/generate.py --reset --postgres --scale 0.2 --sales   # both at once

At scale 1: 3 pipelines (6, 5 and 6 stages with won and lost), 200,000 deals over the generated
companies, their people and reps, created over the past two years (~40 % open, the rest won or
lost), ~3 stage changes per deal, 500 products in 4 price lists, 100,000 proposals with ~500,000
lines (versions, parallel offers; accepted ones for every won deal, rejected ones on lost deals,
drafts and sent ones on open deals), one order per won deal with the accepted proposal's lines,
1,000,000 invoices (many per order: instalments every two weeks from the order date, each with
one line per order line at 1/n of its quantity and amounts, ~5,000,000 lines), payments for the
paid and partly paid ones, and one or two shipments for most orders with lines for what they
carry (never more than ordered). The orders' invoiced and shipped quantities, totals and states
follow from their invoices, payments and shipments as the services count them. No change-log
records or timeline activities are written for the sales records.

Rows go in by COPY (PostgreSQL) or executemany (SQLite) with the secondary indexes dropped and
rebuilt, the same writers as bench/generate.py. The columns are taken from the models, so a field
added later gets its default. Planted for the benchmarks (ids stored in ``bench_meta`` under
``sales_*`` keys): the biggest pipeline, a proposal of the benchmark rep with 40 lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import generate as base  # noqa: E402
from bench import sales_rows as rows  # noqa: E402
from bench.sales_data import (  # noqa: E402
    CURRENCIES,
    DAY,
    LANGUAGES,
    PDF_LINES,
    SALES_TABLES,
    SMALL_TABLES,
    TWO_YEARS,
    Table,
    cents,
    reference_data,
    thousandths,
    weighted,
)

log = base.log


# The bulk part -----------------------------------------------------------------------------------
def generate(make_writer, clock: base.Clock, scale: float, seed: int):
    from django.db import connection

    from rapport.accounts.models import User
    from rapport.contacts.models import Company, Employment
    from rapport.orders.models import (
        Invoice,
        InvoiceLine,
        Order,
        OrderLine,
        Payment,
        Proposal,
        ProposalLine,
        Shipment,
        ShipmentLine,
    )
    from rapport.orders.services.invoices import COPIED_LINE_FIELDS
    from rapport.sales.models import Deal, DealStageChange

    rng = random.Random(seed)
    now = int(time.time())
    today = dt.date.today()
    n_deals = max(2000, int(200_000 * scale))
    n_proposals = max(1000, int(100_000 * scale))
    n_invoices = max(5000, int(1_000_000 * scale))

    log("reference data: pipelines, stages, products, price lists")
    ref = reference_data(rng, now)
    products = ref["products"]
    pick_product = weighted(rng, [rng.lognormvariate(0, 1.0) for _ in products])

    reps = {u.pk: u.team_id for u in User.objects.filter(role="sales_rep")}
    bench_rep = User.objects.get(username="bench.rep").pk
    team_reps: dict[int, list[int]] = {}
    for pk, team in reps.items():
        team_reps.setdefault(team, []).append(pk)
    companies = list(Company.objects.values_list("pk", "name", "owner_id").order_by("pk"))
    people: dict[int, list[int]] = {}
    for company, person in Employment.objects.filter(is_current=True).values_list(
        "company_id", "person_id"
    ):
        people.setdefault(company, []).append(person)
    pick_company = weighted(rng, [rng.lognormvariate(0, 1.0) for _ in companies])
    connection.close()

    # Plan the deals -----------------------------------------------------------------------------
    log(f"planning {n_deals:,} deals")
    pick_pipeline = weighted(rng, [p["share"] for p in ref["pipelines"]])
    pick_currency = weighted(rng, [w for _c, w in CURRENCIES])
    deals = []  # dicts: the few fields the later tables need
    changes = []
    for i in range(n_deals):
        pipe = ref["pipelines"][pick_pipeline()]
        cid, cname, cowner = companies[pick_company()]
        owner = cowner if cowner in reps and rng.random() < 0.85 else None
        if owner is None:
            owner = rng.choice(team_reps[reps[cowner]]) if cowner in reps else bench_rep
        staff = people.get(cid)
        person = rng.choice(staff) if staff and rng.random() < 0.8 else None
        created = now - rng.randrange(TWO_YEARS)
        cycle = int(rng.lognormvariate(math.log(40 * DAY), 0.8))
        opened = pipe["open"]
        if created + cycle >= now or rng.random() < 0.36:
            status = "open"
            reached = min(int(rng.expovariate(0.55)), len(opened) - 1)
            final_stage = opened[reached]
            final_at = created + rng.randrange(max(1, min(now - created, cycle * 2)))
            final_at = min(final_at, now - 60)
            closed = None
            close_date = today + dt.timedelta(days=rng.randrange(-30, 366))
        else:
            status = "won" if rng.random() < 0.45 else "lost"
            reached = rng.randrange(len(opened)) if status == "lost" else len(opened) - 1
            final_stage = pipe[status]
            final_at = closed = created + cycle
            close_date = dt.date.fromtimestamp(closed)
        # Stage history: the first stage, some of the stages up to the one reached, the final.
        path = [opened[0]] + [s for s in opened[1 : reached + 1] if rng.random() < 0.7]
        if status == "open" and path[-1] != final_stage:
            path.append(final_stage)
        if status != "open":
            path.append(final_stage)
        moments = sorted(rng.randrange(created, final_at + 1) for _ in range(len(path) - 2))
        moments = [created, *moments, final_at] if len(path) > 1 else [created]
        previous = None
        for stage, moment, before in zip(path, moments, [None, *moments[:-1]], strict=True):
            changes.append(
                (i + 1, previous, stage, moment, owner, None if before is None else moment - before)
            )
            previous = stage
        currency = CURRENCIES[pick_currency()][0]
        deals.append(
            {
                "id": i + 1,
                "pipeline": pipe,
                "stage": final_stage,
                "status": status,
                "company": cid,
                "company_name": cname,
                "person": person,
                "owner": owner,
                "team": reps.get(owner),
                "created": created,
                "stage_at": final_at,
                "closed": closed,
                "close_date": close_date,
                "currency": currency,
                "amount": int(rng.lognormvariate(math.log(5000), 1.0) * 100),
                "reached": reached,
            }
        )

    # Proposals: every won deal an accepted one (some after a superseded first version), rejected
    # ones on lost deals, drafts and sent ones on open deals past the first stages.
    won = [d for d in deals if d["status"] == "won"]
    lost = [d for d in deals if d["status"] == "lost"]
    late_open = [d for d in deals if d["status"] == "open" and d["reached"] >= 1]
    n_superseded = int(len(won) * 0.15)
    rest = max(0, n_proposals - len(won) - n_superseded)
    plan = [(d, "accepted") for d in won]
    plan += [(d, "superseded") for d in rng.sample(won, min(len(won), n_superseded))]
    plan += [(d, "rejected") for d in rng.sample(lost, min(len(lost), int(rest * 0.6)))]
    plan += [
        (d, rng.choice(("draft", "sent", "sent")))
        for d in rng.sample(late_open, min(len(late_open), rest - int(rest * 0.6)))
    ]
    plan = plan[:n_proposals] if len(plan) > n_proposals else plan
    # By deal, a superseded first version before the accepted second one.
    plan.sort(key=lambda item: (item[0]["created"], item[1] != "superseded"))
    # The PDF benchmark's proposal: the benchmark rep's, 40 lines, sent.
    pdf_deal = next(d for d in deals if d["owner"] == bench_rep and d["status"] == "open")
    plan.append((pdf_deal, "pdf"))
    log(f"{len(won):,} won, {len(lost):,} lost, {n_deals - len(won) - len(lost):,} open deals")

    writer = make_writer()
    writer.begin()
    t_proposal = Table(Proposal, clock)
    t_pline = Table(ProposalLine, clock)
    t_order = Table(Order, clock)
    t_oline = Table(OrderLine, clock)
    t_invoice = Table(Invoice, clock)
    t_iline = Table(InvoiceLine, clock)
    t_payment = Table(Payment, clock)
    t_shipment = Table(Shipment, clock)
    t_sline = Table(ShipmentLine, clock)
    t_deal = Table(Deal, clock)
    t_change = Table(DealStageChange, clock)

    order_lines: list[tuple] = []  # (proposal id, line fields, numbers) of accepted proposals
    accepted: dict[int, dict] = {}  # deal id -> totals of its accepted proposal
    first_version: dict[int, int] = {}  # deal id -> its superseded proposal id
    proposal_headers: list[tuple] = []
    line_ids = [0]
    meta = {"pdf_proposal": None}

    def make_lines(proposal_id, deal, count, created_ts):
        group = ref["dealers"] if deal["company"] in ref["dealer_companies"] else None
        key = (deal["currency"], group if deal["currency"] == "EUR" else None)
        column = ref["prices"][key]
        totals = [0, 0, 0, 0]  # gross, net, tax, cost
        lines = []
        numbers = []  # (quantity, gross, net, tax) of each line, in units and cents
        for position in range(count):
            index = pick_product()
            pid, pname, unit, tax_rate, cost = products[index]
            quantity = rng.randrange(1, 21) if unit in ("pcs", "h", "licence", "set") else 1
            price = column[index]
            discount = rng.choice((0, 0, 0, 5, 10, 15))
            gross = quantity * price
            net = (gross * (100 - discount) + 50) // 100  # cents, half up (core.money)
            tax = (net * tax_rate + 50) // 100
            totals[0] += gross
            totals[1] += net
            totals[2] += tax
            totals[3] += cost * quantity
            numbers.append((quantity, gross, net, tax))
            lines.append(
                dict(
                    created_at=created_ts,
                    updated_at=created_ts,
                    position=position,
                    product_id=pid,
                    description=pname,
                    quantity=f"{quantity}.000",
                    unit=unit,
                    unit_price=cents(price),
                    discount_percent=f"{discount}.00",
                    tax_rate=f"{tax_rate}.00",
                    cost_price=cents(cost),
                    gross_amount=cents(gross),
                    net_amount=cents(net),
                    tax_amount=cents(tax),
                )
            )
        return lines, numbers, totals, key

    def proposal_line_rows():
        """Yields the lines; keeps each proposal's row (with the lines' totals) for later."""
        for n, (deal, kind) in enumerate(plan, start=1):
            end = deal["closed"] or now
            created = deal["created"] + rng.randrange(max(1, end - deal["created"]))
            if kind == "superseded":
                created = deal["created"]
            ts = clock.ts(created)
            count = PDF_LINES if kind == "pdf" else rng.randrange(1, 10)
            lines, numbers, totals, key = make_lines(n, deal, count, ts)
            for line in lines:
                line_ids[0] += 1
                yield t_pline.row(id=line_ids[0], proposal_id=n, **line)
            gross, net, tax, _cost = totals
            status = "sent" if kind == "pdf" else kind
            version, previous, number = 1, None, f"BP{n:07d}"
            if kind == "accepted" and deal["id"] in first_version:
                previous = first_version[deal["id"]]
                version, number = 2, f"BP{previous:07d}"
            if kind == "superseded":
                first_version[deal["id"]] = n
            if kind == "accepted":
                accepted[deal["id"]] = {"proposal": n, "totals": totals, "created": created}
                order_lines.extend(zip([n] * len(lines), lines, numbers, strict=True))
            if kind == "pdf":
                meta["pdf_proposal"] = n
            sent = status in ("sent", "accepted", "rejected", "superseded")
            decided = deal["closed"] if status in ("accepted", "rejected") else None
            proposal_headers.append(
                t_proposal.row(
                    id=n,
                    created_at=ts,
                    updated_at=ts,
                    number=number,
                    currency=deal["currency"],
                    language=rng.choice(LANGUAGES),
                    subtotal=cents(gross),
                    discount_total=cents(gross - net),
                    net_total=cents(net),
                    tax_total=cents(tax),
                    total=cents(net + tax),
                    title=f"Offer: {deal['company_name']}"[:200],
                    version=version,
                    previous_id=previous,
                    status=status,
                    valid_until=dt.date.fromtimestamp(created + 30 * DAY).isoformat(),
                    introduction="Thank you for your interest. We are pleased to offer:",
                    terms="Delivery within 14 days. Payment within 14 days of the invoice.",
                    sent_at=clock.ts(created + 3600) if sent else None,
                    decided_at=clock.ts(decided) if decided else None,
                    company_id=deal["company"],
                    person_id=deal["person"],
                    deal_id=deal["id"],
                    owner_id=deal["owner"],
                    team_id=deal["team"],
                    price_list_id=ref["price_lists"][key],
                )
            )

    log(f"writing the lines of {len(plan):,} proposals")
    counts = {"proposal_lines": writer.copy(t_pline.name, t_pline.columns, proposal_line_rows())}
    log(f"writing {len(proposal_headers):,} proposals")
    counts["proposals"] = writer.copy(t_proposal.name, t_proposal.columns, proposal_headers)
    proposal_headers.clear()

    # Orders (one per won deal) and their invoices ------------------------------------------------
    orders = []
    for deal in won:
        a = accepted.get(deal["id"])
        if a is None:
            continue
        deal["amount"] = a["totals"][1]  # a won deal is worth its accepted offer
        cancelled = rng.random() < 0.02
        order = {"id": len(orders) + 1, "deal": deal, "cancelled": cancelled, "lines": []}
        orders.append(order | a)
    order_of = {o["proposal"]: o for o in orders}
    # The order lines (ids now: invoice and shipment lines point at them).
    n_order_lines = 0
    for proposal_id, line, numbers in order_lines:
        order = order_of.get(proposal_id)
        if order is not None:
            n_order_lines += 1
            order["lines"].append((n_order_lines, line, numbers))
    order_lines.clear()
    order_of.clear()

    per_order = n_invoices / max(1, len(orders))
    # Instalments per order: exponential around the mean, so most orders have a handful and a
    # few (subscriptions) have many; exactly n_invoices in all.
    plan_n = [1 + min(int(rng.expovariate(1 / max(0.1, per_order - 1))), 150) for _ in orders]
    scale_n = n_invoices / max(1, sum(plan_n))
    plan_n = [max(1, round(n * scale_n)) for n in plan_n]
    remainder = n_invoices - sum(plan_n)  # the rounding's, either way
    while remainder:
        i = rng.randrange(len(plan_n))
        if remainder > 0 or plan_n[i] > 1:
            step = 1 if remainder > 0 else -1
            plan_n[i] += step
            remainder -= step
    # Every part of a line is at least 0.001 (a line's quantity is at least 1).
    assert max(plan_n) <= 1000, max(plan_n)

    def instalments(order, n_parts):
        """Each instalment invoices every order line at 1/n of its quantity and amounts (the
        last one the remainder, so the instalments add up to the order exactly). Returns the
        (quantity in thousandths, gross, net, tax) per line of an ordinary instalment and of the
        last one, and the (gross, net, tax) totals of both."""
        part, last = [], []
        for _line_id, _line, (quantity, gross, net, tax) in order["lines"]:
            milli = quantity * 1000
            q = milli // n_parts
            share = (q, gross * q // milli, net * q // milli, tax * q // milli)
            part.append(share)
            whole = (milli, gross, net, tax)
            last.append(tuple(v - s * (n_parts - 1) for v, s in zip(whole, share, strict=True)))

        def sums(lines):
            return tuple(sum(x[i] for x in lines) for i in (1, 2, 3))

        return part, last, sums(part), sums(last)

    def issue_dates(ordered, k):
        issued = ordered + dt.timedelta(days=14 * k)
        return issued, issued + dt.timedelta(days=14)

    def stamp_of(ordered, issued):
        day = issued if issued <= today else ordered
        return clock.ts(int(time.mktime(day.timetuple())) + 9 * 3600)

    payments: list[tuple] = []
    cancelled_invoices: set[int] = set()

    def invoice_rows():
        number = 0
        for order, n_parts in zip(orders, plan_n, strict=True):
            deal = order["deal"]
            _part, _last, part_sums, last_sums = instalments(order, n_parts)
            ordered = dt.date.fromtimestamp(deal["closed"])
            done_total = 0
            done_paid = 0
            any_issued = False
            for k in range(n_parts):
                number += 1
                gross, net, tax = last_sums if k == n_parts - 1 else part_sums
                part_total = net + tax
                issued, due = issue_dates(ordered, k)
                amount_paid = 0
                paid_on = None
                issued_on = due_on = None
                if order["cancelled"] or rng.random() < 0.01:
                    status = "cancelled"
                    if issued <= today:
                        issued_on, due_on = issued, due
                    cancelled_invoices.add(number)
                elif issued > today:
                    status = "draft"
                else:
                    issued_on, due_on = issued, due
                    roll = rng.random()
                    late = (today - due).days
                    paid_share = 0.92 if late > 30 else (0.5 if late > 0 else 0.3)
                    if roll < paid_share:
                        status, amount_paid = "paid", part_total
                        paid_on = min(today, due + dt.timedelta(days=rng.randrange(-10, 20)))
                    elif roll < paid_share + 0.05:
                        status = "partially_paid"
                        amount_paid = part_total * rng.randrange(20, 80) // 100
                    else:
                        status = "issued"
                if amount_paid:
                    when = paid_on or min(today, issued + dt.timedelta(days=rng.randrange(1, 30)))
                    split = amount_paid // 2 if rng.random() < 0.15 and amount_paid > 100 else 0
                    for amount, day in (
                        (split, when - dt.timedelta(days=7)),
                        (amount_paid - split, when),
                    ):
                        if amount > 0:
                            payments.append(
                                (number, amount, deal["currency"], day, deal["owner"], deal["team"])
                            )
                # As the services count them: every invoice but the cancelled ones.
                done_total += part_total if status != "cancelled" else 0
                done_paid += amount_paid
                any_issued = any_issued or issued_on is not None
                stamp = stamp_of(ordered, issued)
                yield t_invoice.row(
                    id=number,
                    created_at=stamp,
                    updated_at=stamp,
                    number=f"BI{number:08d}" if issued_on else "",
                    currency=deal["currency"],
                    language="en",
                    subtotal=cents(gross),
                    discount_total=cents(gross - net),
                    net_total=cents(net),
                    tax_total=cents(tax),
                    total=cents(part_total),
                    status=status,
                    issued_on=issued_on.isoformat() if issued_on else None,
                    due_on=due_on.isoformat() if due_on else None,
                    paid_on=paid_on.isoformat() if status == "paid" and paid_on else None,
                    amount_paid=cents(amount_paid),
                    company_id=deal["company"],
                    person_id=deal["person"],
                    owner_id=deal["owner"],
                    team_id=deal["team"],
                    order_id=order["id"],
                )
            order["invoiced"] = done_total
            order["paid"] = done_paid

    log(f"writing {sum(plan_n):,} invoices for {len(orders):,} orders")
    counts["invoices"] = writer.copy(t_invoice.name, t_invoice.columns, invoice_rows())

    # Invoice lines: one per order line on every invoice (see instalments()). The same walk as
    # invoice_rows(), without the random choices; quantities invoiced are counted per order line
    # as the services count them (every invoice but the cancelled ones).
    invoiced_quantity: dict[int, int] = {}  # order line id -> thousandths

    def invoice_line_rows():
        number = 0
        line_id = 0
        iline = t_iline.index
        for order, n_parts in zip(orders, plan_n, strict=True):
            part, last, _part_sums, _last_sums = instalments(order, n_parts)
            ordered = dt.date.fromtimestamp(order["deal"]["closed"])
            templates = []
            for order_line_id, line, _numbers in order["lines"]:
                templates.append(
                    list(
                        t_iline.row(
                            order_line_id=order_line_id,
                            **{name: line[name] for name in COPIED_LINE_FIELDS},
                        )
                    )
                )
            done = dict.fromkeys((x[0] for x in order["lines"]), 0)
            for k in range(n_parts):
                number += 1
                shares = last if k == n_parts - 1 else part
                stamp = stamp_of(ordered, issue_dates(ordered, k)[0])
                live = number not in cancelled_invoices
                for template, (order_line_id, _line, _n), (q, gross, net, tax) in zip(
                    templates, order["lines"], shares, strict=True
                ):
                    line_id += 1
                    row = template.copy()
                    row[iline["id"]] = line_id
                    row[iline["invoice_id"]] = number
                    row[iline["created_at"]] = row[iline["updated_at"]] = stamp
                    row[iline["quantity"]] = thousandths(q)
                    row[iline["gross_amount"]] = cents(gross)
                    row[iline["net_amount"]] = cents(net)
                    row[iline["tax_amount"]] = cents(tax)
                    if live:
                        done[order_line_id] += q
                    yield tuple(row)
            invoiced_quantity.update(done)

    log("writing their lines (one per order line)")
    counts["invoice_lines"] = writer.copy(t_iline.name, t_iline.columns, invoice_line_rows())

    def payment_rows():
        for n, (invoice, amount, currency, day, owner, team) in enumerate(payments, start=1):
            stamp = clock.ts(int(time.mktime(day.timetuple())) + 12 * 3600)
            yield t_payment.row(
                id=n,
                created_at=stamp,
                updated_at=stamp,
                invoice_id=invoice,
                amount=cents(amount),
                currency=currency,
                paid_on=day.isoformat(),
                method="bank_transfer" if n % 10 else "card",
                reference=f"PAY-{n:08d}",
                owner_id=owner,
                team_id=team,
            )

    log(f"writing {len(payments):,} payments")
    counts["payments"] = writer.copy(t_payment.name, t_payment.columns, payment_rows())
    payments.clear()
    cancelled_invoices.clear()

    # Shipments: what was shipped of each order line, never more than ordered. Most orders go
    # in one shipment of everything (as the services make one by default), a fifth in two (about
    # half of each line, then the rest); the newest orders may not be shipped yet.
    shipped_quantity: dict[int, int] = {}  # order line id -> thousandths, cancelled ones aside
    shipments: list[tuple] = []  # (order, status, planned, shipped, delivered, carrier)
    shipment_lines: list[tuple] = []  # (shipment id, order line id, thousandths, stamp)
    for order in orders:
        closed = dt.date.fromtimestamp(order["deal"]["closed"])
        if order["cancelled"] or ((today - closed).days < 10 and rng.random() < 0.5):
            order["planned_shipment"] = False
            continue
        lines = [(line_id, numbers[0] * 1000) for line_id, _line, numbers in order["lines"]]
        if rng.random() < 0.2 and any(q > 1000 for _id, q in lines):
            first = [(i, q // 2000 * 1000 or q) for i, q in lines]
            parts = [first, [(i, q - f) for (i, q), (_i, f) in zip(lines, first, strict=True)]]
        else:
            parts = [lines]
        planned = closed + dt.timedelta(days=rng.randrange(3, 30))
        carrier = rng.choice(("DPN", "Omniva", "Nova Poshta", "Royal Mail"))
        order["planned_shipment"] = False
        for part in parts:
            part = [(i, q) for i, q in part if q > 0]
            if not part:
                continue
            if rng.random() < 0.01:
                status = "cancelled"
            elif planned >= today:
                status = "planned"
            elif planned + dt.timedelta(days=2) < today and rng.random() < 0.97:
                status = "delivered"
            else:
                status = "shipped"
            shipments.append((order, status, planned, carrier))
            stamp = clock.ts(order["deal"]["closed"] + DAY)
            for line_id, q in part:
                shipment_lines.append((len(shipments), line_id, q, stamp))
                if status != "cancelled":
                    shipped_quantity[line_id] = shipped_quantity.get(line_id, 0) + q
            order["planned_shipment"] |= status == "planned"
            planned += dt.timedelta(days=rng.randrange(7, 45))

    def shipment_rows():
        for n, (order, status, planned, carrier) in enumerate(shipments, start=1):
            went = status in ("shipped", "delivered")
            stamp = clock.ts(order["deal"]["closed"] + DAY)
            yield t_shipment.row(
                id=n,
                created_at=stamp,
                updated_at=stamp,
                number=f"BS{n:07d}",
                status=status,
                planned_on=planned.isoformat(),
                shipped_on=planned.isoformat() if went else None,
                delivered_on=(planned + dt.timedelta(days=2)).isoformat()
                if status == "delivered"
                else None,
                carrier=carrier,
                order_id=order["id"],
                owner_id=order["deal"]["owner"],
                team_id=order["deal"]["team"],
            )

    def shipment_line_rows():
        for n, (shipment, line_id, q, stamp) in enumerate(shipment_lines, start=1):
            yield t_sline.row(
                id=n,
                created_at=stamp,
                updated_at=stamp,
                shipment_id=shipment,
                order_line_id=line_id,
                quantity=thousandths(q),
            )

    log(f"writing {len(shipments):,} shipments and {len(shipment_lines):,} shipment lines")
    counts["shipments"] = writer.copy(t_shipment.name, t_shipment.columns, shipment_rows())
    counts["shipment_lines"] = writer.copy(t_sline.name, t_sline.columns, shipment_line_rows())
    shipments.clear()
    shipment_lines.clear()

    # Orders last: their state follows from the invoices and shipments (bench/sales_rows.py).
    log(f"writing {len(orders):,} orders and their {n_order_lines:,} lines")
    counts["orders"] = writer.copy(
        t_order.name,
        t_order.columns,
        rows.order_rows(t_order, orders, clock, invoiced_quantity, shipped_quantity),
    )

    counts["order_lines"] = writer.copy(
        t_oline.name,
        t_oline.columns,
        rows.order_line_rows(t_oline, orders, clock, invoiced_quantity, shipped_quantity),
    )
    counts["orders_completed"] = sum(1 for o in orders if o["status"] == "completed")
    invoiced_quantity.clear()
    shipped_quantity.clear()

    # Deals and their stage history ---------------------------------------------------------------
    log(f"writing {len(deals):,} deals")
    counts["deals"] = writer.copy(
        t_deal.name, t_deal.columns, rows.deal_rows(t_deal, deals, ref["lost_reasons"], clock, rng)
    )

    log(f"writing {len(changes):,} stage changes")
    counts["stage_changes"] = writer.copy(
        t_change.name, t_change.columns, rows.change_rows(t_change, changes, clock)
    )
    log("rebuilding indexes")
    writer.finish()

    biggest = ref["pipelines"][0]
    counts.update(
        {
            "open_deals": n_deals - len(won) - len(lost),
            "won_deals": len(won),
            "lost_deals": len(lost),
            "biggest_pipeline": biggest["id"],
            "biggest_pipeline_open": sum(
                1 for d in deals if d["pipeline"] is biggest and d["status"] == "open"
            ),
            "biggest_stage": biggest["open"][0],
            "pdf_proposal": meta["pdf_proposal"],
            "pdf_lines": PDF_LINES,
            "products": len(products),
        }
    )
    return counts


def store_meta(meta: dict) -> None:
    """Add the sales keys to bench_meta (the contacts' keys stay)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(50) PRIMARY KEY, value TEXT)"
        )
        cur.execute("DELETE FROM bench_meta WHERE key LIKE 'sales_%%'")
        for key, value in meta.items():
            cur.execute(
                "INSERT INTO bench_meta (key, value) VALUES (%s, %s)",
                [f"sales_{key}", json.dumps(value)],
            )


def reset_sales(url: str) -> None:
    from django.db import connection

    tables = [*SALES_TABLES, *SMALL_TABLES]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            cur.execute("PRAGMA foreign_keys=OFF")
            for table in tables:
                cur.execute(f"DELETE FROM {table}")
            cur.execute("PRAGMA foreign_keys=ON")


def run(url: str, scale: float = 1.0, seed: int = 2026, reset: bool = False) -> dict:
    """Fill the sales tables of the (migrated, customer-filled) database at ``url``."""
    from rapport.contacts.models import Company
    from rapport.sales.models import Deal

    if not Company.objects.exists():
        sys.exit("No companies: fill the customer base first (bench/generate.py).")
    if reset:
        log("emptying the sales tables")
        reset_sales(url)
    elif Deal.objects.exists():
        sys.exit("The database already holds deals: use --reset-sales to start again.")
    started = time.monotonic()
    sqlite = base.is_sqlite(url)
    writer_class = base.SqliteWriter if sqlite else base.PostgresWriter
    meta = generate(
        lambda: writer_class(url, tables=SALES_TABLES, fts=()),
        base.Clock(sqlite),
        scale,
        seed,
    )
    meta["scale"] = scale
    meta["generated_seconds"] = round(time.monotonic() - started)
    from django.db import connection

    connection.close()
    if not sqlite:
        # The small tables went in through the ORM: give the planner their statistics (an
        # 18-row stage table never reaches autovacuum's threshold, and without them the
        # forecast's history query picked a plan three times slower).
        with connection.cursor() as cur:
            for table in (*SMALL_TABLES, "accounts_user", "accounts_team"):
                cur.execute(f"ANALYZE {table}")
    store_meta(meta)
    log(f"sales done in {meta['generated_seconds']} s: {json.dumps(meta)}")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=base.DEFAULT_URL)
    parser.add_argument("--postgres", action="store_true", help=f"use {base.PG_DEFAULT_URL}")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 200,000 deals")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset-sales", action="store_true", help="empty the sales tables first")
    args = parser.parse_args()
    url = base.PG_DEFAULT_URL if args.postgres else args.database_url
    log(f"database {url}")
    base.migrate(url)
    base.setup_django(url)
    run(url, args.scale, args.seed, args.reset_sales)


if __name__ == "__main__":
    main()
