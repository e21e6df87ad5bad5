"""Demo pipelines and deals for ``make run``: three pipelines, ~400 deals over two years in every
stage (won and lost too) with stage histories in the past; then the leads (``demo_leads``)."""

from __future__ import annotations

import datetime
import importlib.util
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from rapport.accounts.choices import Role
from rapport.accounts.models import Team
from rapport.contacts.choices import Source
from rapport.contacts.models import Company, Employment, Person
from rapport.core.changelog import snapshot
from rapport.core.models import ChangeAction, ChangeRecord
from rapport.sales.choices import DealContactRole, StageKind
from rapport.sales.models import Deal, DealCompetitor, DealContact, DealStageChange, LostReason
from rapport.sales.services.pipelines import lost_reason_save, pipeline_create_with_stages

DEALS = 400
# (name, a deal is called, deals are called, stages: (name, probability, kind))
PIPELINES = [
    (
        "New business",
        "",
        "",
        [
            ("Qualification", 10, StageKind.OPEN),
            ("Needs analysis", 25, StageKind.OPEN),
            ("Proposal", 50, StageKind.OPEN),
            ("Negotiation", 75, StageKind.OPEN),
            ("Won", 100, StageKind.WON),
            ("Lost", 0, StageKind.LOST),
        ],
    ),
    (
        "Renewals",
        "renewal",
        "renewals",
        [
            ("Due soon", 60, StageKind.OPEN),
            ("Offer sent", 75, StageKind.OPEN),
            ("Agreed", 90, StageKind.OPEN),
            ("Renewed", 100, StageKind.WON),
            ("Churned", 0, StageKind.LOST),
        ],
    ),
    (
        "Equipment",
        "project",
        "projects",
        [
            ("Site survey", 10, StageKind.OPEN),
            ("Design", 30, StageKind.OPEN),
            ("Quotation", 50, StageKind.OPEN),
            ("Tender", 60, StageKind.OPEN),
            ("Contract", 85, StageKind.OPEN),
            ("Delivered", 100, StageKind.WON),
            ("Not awarded", 0, StageKind.LOST),
        ],
    ),
]
LOST_REASONS = [
    "Price too high",
    "Chose a competitor",
    "No budget",
    "No decision made",
    "Bad timing",
    "Lost contact",
]
TOPICS = {
    "New business": ["CRM roll-out", "Network upgrade", "Office fit-out", "Pilot project"],
    "Renewals": ["Annual licences", "Support contract", "Maintenance plan"],
    "Equipment": ["Server room", "Warehouse Wi-Fi", "Data centre racks", "UPS replacement"],
}
CAMPAIGNS = ["", "", "spring-webinar", "trade-fair-riga", "newsletter-q3", "partner-days"]
SOURCES = [Source.MANUAL, Source.WEB_FORM, Source.EVENT, Source.CALL, Source.EMAIL]
SOURCES += [Source.REFERRAL, Source.PARTNER]


def _pipelines(admin):
    created = []
    for name, noun, plural, stages in PIPELINES:
        created.append(
            pipeline_create_with_stages(
                actor=admin,
                name=name,
                deal_noun=noun,
                deal_noun_plural=plural,
                position=len(created),
                stages=[{"name": n, "probability": p, "kind": k} for n, p, k in stages],
            )
        )
    return created


def _path(rng, stages, final):
    """The stages a deal went through to reach ``final``: open stages in order (some skipped),
    then the final one."""
    opens = [s for s in stages if s.kind == StageKind.OPEN]
    if final.kind == StageKind.OPEN:
        before = opens[: opens.index(final)]
    else:
        before = opens[: rng.randint(1, len(opens))]
    kept = [s for i, s in enumerate(before) if i == 0 or rng.random() > 0.2]
    return [*kept, final]


def _times(rng, start, steps, end):
    """``steps`` entry times from ``start``, each stay 2-40 days, squeezed to end before ``end``."""
    gaps = [rng.uniform(2, 40) for _ in range(steps - 1)]
    total = sum(gaps) or 1
    room = (end - start).total_seconds() / 86400
    scale = min(1.0, room * 0.95 / total)
    times, current = [start], start
    for gap in gaps:
        current = current + datetime.timedelta(days=gap * scale)
        times.append(current)
    return times


def seed(*, rng, users, stdout) -> None:
    admin = next(u for u in users if u.is_administrator)
    reps = [u for u in users if u.role == Role.SALES_REP] or [admin]
    now = timezone.now()
    with transaction.atomic():
        pipelines = _pipelines(admin)
        reasons = [lost_reason_save(actor=admin, reason=LostReason(name=n)) for n in LOST_REASONS]
        # A deal is on a customer its owner works with: the company's own rep (or a colleague of
        # the same team), and contact people that rep may see.
        company_owner = dict(
            Company.objects.exclude(kind="competitor").order_by("pk").values_list("pk", "owner_id")
        )
        companies = list(company_owner)
        reps_by_id = {rep.pk: rep for rep in reps}
        person_team = dict(Person.objects.values_list("pk", "team_id"))
        competitors = list(
            Company.objects.filter(kind="competitor").order_by("pk").values_list("pk", flat=True)
        )
        staff: dict[int, list[int]] = {}
        for company_id, person_id in Employment.objects.values_list("company_id", "person_id"):
            staff.setdefault(company_id, []).append(person_id)
        if not companies:
            stdout.write("No demo companies: no deals.\n")
            return
        stages = {p.pk: list(p.stages.order_by("position")) for p in pipelines}
        plans = []
        for i in range(DEALS):
            pipeline = pipelines[0] if i % 5 < 3 else pipelines[1 + i % 2]
            roll = rng.random()
            kind = (
                StageKind.OPEN if roll < 0.45 else StageKind.WON if roll < 0.75 else StageKind.LOST
            )
            choices = [s for s in stages[pipeline.pk] if s.kind == kind]
            final = rng.choice(choices)
            age = rng.uniform(5, 180) if kind == StageKind.OPEN else rng.uniform(20, 730)
            created = now - datetime.timedelta(days=age)
            path = _path(rng, stages[pipeline.pk], final)
            end = (
                now if kind == StageKind.OPEN else now - datetime.timedelta(days=rng.uniform(0, 2))
            )
            times = _times(rng, created, len(path), end)
            company_id = rng.choice(companies)
            owner = reps_by_id.get(company_owner[company_id]) or rng.choice(reps)
            people = [
                pk for pk in staff.get(company_id, []) if person_team.get(pk) == owner.team_id
            ] or [None]
            amount = Decimal(rng.choice([900, 2500, 4800, 7500, 12000, 18500, 32000, 64000]))
            amount += Decimal(rng.randint(0, 99) * 10)
            if kind == StageKind.OPEN:
                close = (now + datetime.timedelta(days=rng.uniform(-15, 160))).date()
            else:
                close = (times[-1] + datetime.timedelta(days=rng.uniform(-20, 10))).date()
            deal = Deal(
                name=f"{rng.choice(TOPICS[pipeline.name])} #{1000 + i}",
                pipeline=pipeline,
                stage=final,
                status=kind,
                company_id=company_id,
                person_id=rng.choice(people),
                amount=amount,
                currency="USD" if rng.random() < 0.15 else pipeline.currency,
                expected_close_date=close,
                source=rng.choice(SOURCES),
                campaign=rng.choice(CAMPAIGNS),
                owner=owner,
                team_id=owner.team_id,
                lost_reason=rng.choice(reasons) if kind == StageKind.LOST else None,
                created_at=times[0],
                stage_changed_at=times[-1],
                closed_at=times[-1] if kind != StageKind.OPEN else None,
            )
            plans.append((deal, path, times, kind))
        # 400 deals through deal_create took 40 s on a busy SQLite: the demo writes the rows
        # (with the same defaults and rules), their change-log entries and their past histories
        # directly, in bulk.
        Deal.objects.bulk_create([plan[0] for plan in plans], batch_size=200)
        _creation_records([plan[0] for plan in plans])
        _histories(plans)
        _parts(rng, plans, staff, competitors, person_team)
    stdout.write(f"{len(plans)} deals in {len(pipelines)} pipelines.\n")
    if importlib.util.find_spec("rapport.sales.demo_leads") is not None:
        from rapport.sales.demo_leads import seed_leads

        seed_leads(rng=rng, users=users, stdout=stdout)


def _creation_records(deals: list[Deal], batch_size: int = 500) -> None:
    """The change log's "created" entry of each deal, as ``deal_create`` writes it but dated when
    the deal was made and signed by its owner: three reads for the names the entries show, then
    one insert per ``batch_size`` deals."""
    companies = Company.objects.only("name").in_bulk({d.company_id for d in deals} - {None})
    people = Person.objects.only("first_name", "middle_name", "last_name").in_bulk(
        {d.person_id for d in deals} - {None}
    )
    teams = Team.objects.only("name").in_bulk({d.team_id for d in deals} - {None})
    deal_type = ContentType.objects.get_for_model(Deal)
    records = []
    for deal in deals:
        # Related rows put in place, so that the snapshot reads no row of its own.
        deal.company = companies.get(deal.company_id)
        deal.person = people.get(deal.person_id)
        deal.team = teams.get(deal.team_id)
        records.append(
            ChangeRecord(
                created_at=deal.created_at,
                actor=deal.owner,
                action=ChangeAction.CREATE,
                content_type=deal_type,
                object_id=deal.pk,
                object_repr=str(deal)[:300],
                after=snapshot(deal),
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=batch_size)


def _histories(plans) -> None:
    """Stage histories with past dates (demo only: written directly, not through services)."""
    rows = []
    for deal, path, times, _kind in plans:
        previous = None
        for stage, when in zip(path, times, strict=True):
            seconds = int((when - previous[1]).total_seconds()) if previous else None
            rows.append(
                DealStageChange(
                    deal=deal,
                    from_stage=previous[0] if previous else None,
                    to_stage=stage,
                    changed_at=when,
                    actor=deal.owner,
                    seconds_in_from_stage=seconds,
                )
            )
            previous = (stage, when)
    DealStageChange.objects.bulk_create(rows, batch_size=500)


def _parts(rng, plans, staff, competitors, person_team) -> None:
    contacts, rivals = [], []
    roles = list(DealContactRole.values)
    for deal, _path, _times, _kind in plans:
        people = [
            pk for pk in staff.get(deal.company_id, []) if person_team.get(pk) == deal.team_id
        ]
        for person_id in rng.sample(people, min(len(people), rng.randint(0, 2))):
            contacts.append(DealContact(deal=deal, person_id=person_id, role=rng.choice(roles)))
        if competitors and rng.random() < 0.3:
            rivals.append(DealCompetitor(deal=deal, company_id=rng.choice(competitors)))
    DealContact.objects.bulk_create(contacts, batch_size=500, ignore_conflicts=True)
    DealCompetitor.objects.bulk_create(rivals, batch_size=500, ignore_conflicts=True)
