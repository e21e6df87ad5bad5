"""The demo's automation rules are valid rules that run."""

from __future__ import annotations

import datetime
import io
import random

from rapport.activities.models import Task
from rapport.automation import demo
from rapport.automation.models import Rule
from rapport.automation.services import dates
from rapport.contacts.services import person_create


def test_the_demo_rules(world, pipeline):
    users = list(world.users.values())
    out = io.StringIO()
    demo.seed(rng=random.Random(1), users=users, stdout=out)
    assert out.getvalue() == "3 automation rules.\n"
    names = set(Rule.objects.values_list("name", flat=True))
    assert names == {
        "Deal reached Negotiation → task for the owner",
        "3 days before an invoice is due → notify the owner",
        "Birthday of a contact → task to congratulate",
    }
    today = datetime.date(2026, 3, 1)
    person_create(
        actor=world.users["rep"],
        first_name="Ilze",
        last_name="Ozola",
        birthday=datetime.date(1984, 3, 2),
    )
    dates.scan_date_rules(today)
    dates.run_pending(today=today)
    assert Task.objects.filter(title="Congratulate Ilze Ozola on their birthday").exists()
