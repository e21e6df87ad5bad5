"""Demo leads for ``make run``: two web forms, three distribution rules, ~60 leads from several
sources over the past months, some waiting in a queue, some qualified, disqualified, converted."""

from __future__ import annotations

import datetime

from django.utils import timezone

from rapport.accounts.choices import Role
from rapport.accounts.models import Team, Territory
from rapport.core.errors import DomainError, ValidationError
from rapport.sales.choices import DistributionMethod, LeadStatus
from rapport.sales.models import DistributionRule, Lead, LeadWebForm, Pipeline
from rapport.sales.services.leads import (
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_import,
    lead_qualify,
    lead_start_work,
)

FIRST = ["Anna", "Jānis", "Olena", "Dmitry", "Laura", "Pēteris", "Iryna", "Mark", "Sofia", "Oleh"]
LAST = ["Ozola", "Bērziņš", "Kovalenko", "Smirnov", "Kalniņa", "Liepa", "Shevchenko", "Taylor"]
COMPANIES = [
    "Baltic Timber",
    "Dnipro Agro",
    "Nordic Print",
    "Amber Logistics",
    "Kyiv Smart Build",
    "Riga Coffee Roasters",
    "Daugava Metal",
    "Lviv Soft",
    "Jurmala Hotels",
    "Thames Office Supply",
    "Liepaja Fish",
    "Odesa Port Services",
]
MESSAGES = [
    "Please send a price list.",
    "We need a demo for 15 users.",
    "Do you deliver to Ukraine?",
    "Call me next week, please.",
    "",
]
UTM = [
    ("google", "cpc", "spring-search"),
    ("facebook", "social", "spring-search"),
    ("newsletter", "email", "march-digest"),
    ("linkedin", "social", "b2b-awareness"),
]


def seed_leads(*, rng, users, stdout) -> None:
    now = timezone.now()
    reps = [u for u in users if u.role == Role.SALES_REP and u.team_id]
    if not reps:
        return
    teams = list(Team.objects.filter(pk__in={u.team_id for u in reps}).order_by("name"))
    riga, other = teams[0], teams[-1]
    territories = {t.name: t for t in Territory.objects.all()}

    contact = LeadWebForm.objects.create(
        name="Website contact form",
        key="contact",
        team=riga,
        thank_you_message="Thank you! We will call you back within one working day.",
    )
    price = LeadWebForm.objects.create(
        name="Price request", key="price-request", team=riga, campaign="Spring price list"
    )
    DistributionRule.objects.create(
        name="Website contact form: round-robin", position=1, web_form=contact, team=riga
    )
    DistributionRule.objects.create(
        name="Ukraine: Kyiv team",
        position=2,
        territory=territories.get("Ukraine"),
        team=other,
    )
    DistributionRule.objects.create(
        name="Events: the head hands out",
        position=3,
        source="event",
        method=DistributionMethod.QUEUE,
        team=riga,
    )

    def person(i):
        return {
            "first_name": FIRST[i % len(FIRST)],
            "last_name": LAST[(i * 3) % len(LAST)],
            "company_name": f"{COMPANIES[i % len(COMPANIES)]} {i}",
            "email": f"lead{i}@demo.example",
        }

    made: list[Lead] = []
    for i in range(20):  # the public forms
        web_form = contact if i % 3 else price
        source, medium, campaign = UTM[i % len(UTM)]
        made.append(
            lead_create(
                actor=None,
                notify=i % 4 == 0,
                web_form=web_form,
                source="web_form",
                source_detail=web_form.name,
                campaign=web_form.campaign or campaign,
                utm_source=source,
                utm_medium=medium,
                utm_campaign=campaign,
                utm_content="form" if i % 2 else "banner",
                message=MESSAGES[i % len(MESSAGES)],
                language=rng.choice(["en", "lv", "ru", "uk"]),
                **person(i),
            )
        )
    for i in range(20, 32):  # met at fairs: they wait in the queue for the head
        rep = rng.choice(reps)
        made.append(
            lead_create(
                actor=rep,
                notify=False,
                source="event",
                campaign="Riga Food & Tech Expo",
                phone=f"+3712{6000000 + i:07d}",
                **person(i),
            )
        )
    for i in range(32, 44):  # recommended by customers, entered by hand by their rep
        rep = rng.choice(reps)
        made.append(
            lead_create(
                actor=rep,
                notify=False,
                owner=rep,
                source=rng.choice(["referral", "manual", "call"]),
                territory=territories.get(rng.choice(["Baltics", "Ukraine"])),
                **person(i),
            )
        )
    rows = [
        {**person(i), "campaign": "Purchased list Q1", "industry": "manufacturing"}
        for i in range(44, 60)
    ]
    outcome = lead_import(actor=rng.choice(reps), rows=rows)
    made.extend(outcome.created)

    # Spread them over the past five months (demo only: written directly).
    for lead in made:
        when = now - datetime.timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 600))
        Lead.objects.filter(pk=lead.pk).update(created_at=when, assigned_at=when)

    pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "pk").first()
    owned = [lead for lead in made if lead.owner_id]
    rng.shuffle(owned)
    converted = 0
    for n, lead in enumerate(owned[:30]):
        actor = lead.owner
        try:
            if n % 5 == 0:
                lead_start_work(actor=actor, lead=lead)
            elif n % 5 == 1:
                lead_disqualify(
                    actor=actor,
                    lead=lead,
                    reason=rng.choice(["no_budget", "no_need", "not_reachable", "competitor"]),
                    note="Demo",
                )
            elif n % 5 == 2 or pipeline is None:
                lead_qualify(actor=actor, lead=lead)
            else:
                lead_qualify(actor=actor, lead=lead)
                lead_convert(
                    actor=actor,
                    lead=lead,
                    pipeline=pipeline,
                    amount=rng.choice([800, 2400, 5000, 12000]),
                    confirm_new=True,
                )
                converted += 1
        except (ValidationError, DomainError):
            continue  # e.g. the customer exists already: that lead stays as it is
    queued = Lead.objects.filter(owner__isnull=True, status=LeadStatus.NEW).count()
    stdout.write(
        f"{len(made)} leads ({queued} in the queue, {converted} converted), "
        f"2 web forms, 3 distribution rules.\n"
    )
