"""Demo meetings and calls for ``make run``: each salesperson's and head's calendar around today
(two weeks back, three weeks ahead), with the customer's people and a colleague taking part;
past ones mostly held (logged on the customer's timeline), a few cancelled, future ones with
reminders. Called from ``activities/demo.py``: ``demo_calendar.seed(rng=rng, users=users,
stdout=stdout)``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from rapport.accounts.choices import Role
from rapport.activities.choices import MeetingKind
from rapport.activities.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
)
from rapport.contacts.models import Company, Employment

PER_USER = 12
TITLES = {
    MeetingKind.MEETING: [
        "Quarterly review",
        "Product demonstration",
        "Site survey",
        "Contract negotiation",
        "Installation kick-off",
        "Annual planning",
    ],
    MeetingKind.CALL: [
        "Follow-up call",
        "Pricing call",
        "Delivery status call",
        "Introductory call",
    ],
}
PLACES = ["Customer's office", "Our office, meeting room 2", "On site", ""]
LINKS = ["https://meet.example.com/rapport-demo", ""]
AGENDAS = [
    "1. Results so far\n2. Open questions\n3. Next steps",
    "Show the new product line and agree on a trial.",
    "",
]


def _slot(rng, day: datetime.date) -> datetime.datetime:
    hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
    minute = rng.choice([0, 30])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed(*, rng, users, stdout) -> None:
    people_of: dict[int, list[int]] = {}
    for company_id, person_id in Employment.objects.values_list("company_id", "person_id"):
        people_of.setdefault(company_id, []).append(person_id)
    planners = [u for u in users if u.role in (Role.SALES_REP, Role.HEAD) and u.is_active]
    if not planners:
        stdout.write("No salespeople: no demo meetings.\n")
        return
    today = timezone.localdate()
    made = held = cancelled = 0
    with transaction.atomic():
        for user in planners:
            companies = list(
                Company.objects.restrict(user)
                .exclude(kind="competitor")
                .order_by("pk")
                .values_list("pk", flat=True)[:200]
            )
            colleagues = [u for u in planners if u.pk != user.pk and u.team_id == user.team_id]
            for i in range(PER_USER):
                kind = MeetingKind.CALL if i % 3 == 2 else MeetingKind.MEETING
                day = today + datetime.timedelta(days=rng.randint(-14, 21))
                if day.weekday() >= 5:  # working days only
                    day -= datetime.timedelta(days=day.weekday() - 4)
                starts_at = _slot(rng, day)
                length = 30 if kind == MeetingKind.CALL else rng.choice([60, 90, 120])
                ends_at = starts_at + datetime.timedelta(minutes=length)
                company_id = rng.choice(companies) if companies else None
                staff = people_of.get(company_id, [])
                people = rng.sample(staff, k=min(len(staff), rng.choice([1, 1, 2])))
                future = starts_at > timezone.now()
                meeting = meeting_create(
                    actor=user,
                    kind=kind,
                    title=rng.choice(TITLES[kind]),
                    description=rng.choice(AGENDAS),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    place=rng.choice(PLACES) if kind == MeetingKind.MEETING else "",
                    link=rng.choice(LINKS),
                    company=Company.objects.get(pk=company_id) if company_id else None,
                    people=people,
                    users=rng.sample(colleagues, k=1) if colleagues and rng.random() < 0.3 else [],
                    remind_at=starts_at - datetime.timedelta(minutes=15) if future else None,
                )
                made += 1
                roll = rng.random()
                if roll < 0.08:
                    meeting_cancel(actor=user, meeting=meeting)
                    cancelled += 1
                elif not future and roll < 0.85:
                    meeting_mark_held(
                        actor=user, meeting=meeting, notes="Agreed on the next steps."
                    )
                    held += 1
    stdout.write(f"Meetings: {made} ({held} held, {cancelled} cancelled).\n")
