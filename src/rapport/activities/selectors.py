"""The customer card's timeline: activities and changes of a person and their companies, merged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.changelog import history_for

PAGE = 30


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str  # "activity" or "change"
    item: Any

    @property
    def sort_key(self):
        return (self.when, self.kind == "activity", self.item.pk)


def _related(obj, user) -> tuple[list[Company], list[Person]]:
    """The card's own record plus the related records the user may see (one query)."""
    if isinstance(obj, Company):
        people = list(
            Person.objects.restrict(user)
            .filter(employments__company=obj)
            .only("pk", "first_name", "middle_name", "last_name")
        )
        return [obj], people
    companies = list(
        Company.objects.restrict(user).filter(employments__person=obj).only("pk", "name")
    )
    return companies, [obj]


def timeline(
    obj: Company | Person, *, user, before: datetime.datetime | None = None, limit: int = PAGE
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """Newest entries first; returns the page and the cursor for the next one (or None)."""
    companies, people = _related(obj, user)
    from django.db.models import Q

    q = Q(company_id__in=[c.pk for c in companies]) | Q(person_id__in=[p.pk for p in people])
    activities = Activity.objects.filter(q).select_related("owner", "company", "person")
    changes = history_for([*companies, *people])
    if before is not None:
        activities = activities.filter(occurred_at__lt=before)
        changes = changes.filter(created_at__lt=before)
    entries = [
        TimelineEntry(a.occurred_at, "activity", a)
        for a in activities.order_by("-occurred_at", "-pk")[: limit + 1]
    ] + [TimelineEntry(c.created_at, "change", c) for c in changes[: limit + 1]]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    cursor = page[-1].when if len(entries) > limit and page else None
    return page, cursor
