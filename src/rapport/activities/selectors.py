"""The customer card's timeline: activities and changes of a person and their companies, merged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q, QuerySet

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.changelog import history_for
from rapport.core.models import ChangeRecord

PAGE = 30
# Records looked up one by one (an index range read of at most one page each); the rest of the
# related records share one lookup. Keeps the card's cost flat however long the history grows.
OWN_LOOKUPS = 20


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


def _lookups(base: QuerySet, field: str, ids: list[int], **extra) -> list[QuerySet]:
    """A ``field = id`` lookup for each of the first OWN_LOOKUPS ids, one ``field IN`` the rest."""
    own = [base.filter(**{field: pk}, **extra) for pk in ids[:OWN_LOOKUPS]]
    rest = ids[OWN_LOOKUPS:]
    return own + ([base.filter(**{f"{field}__in": rest}, **extra)] if rest else [])


def _newest_ids(lookups: list[QuerySet], time_field: str, limit: int) -> list[int]:
    """Ids of the newest rows of several lookups, each read newest-first from its index and cut
    at ``limit``, merged in one UNION ALL query (written out because SQLite does not let Django
    put LIMIT inside the parts of a compound query)."""
    if not lookups:
        return []
    parts, params = [], []
    for n, qs in enumerate(lookups):
        part = qs.order_by(f"-{time_field}", "-id").values_list("id", time_field)[:limit]
        sql, part_params = part.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{n}")
        params += part_params
    # UNION, not UNION ALL: a row found by two lookups (an activity with both a company and a
    # person, a change with a parent) must count once, or the page comes out short.
    sql = " UNION ".join(parts) + " ORDER BY 2 DESC, 1 DESC LIMIT %s"
    with connections[lookups[0].db].cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def timeline(
    obj: Company | Person, *, user, before: datetime.datetime | None = None, limit: int = PAGE
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """Newest entries first; returns the page and the cursor for the next one (or None).

    Four queries whatever the length of the history: the related records, the ids of the newest
    activities and changes (each a UNION ALL of index range reads), and the rows themselves."""
    companies, people = _related(obj, user)
    # The card's own record first, so that it always gets a lookup of its own.
    company_ids = sorted((c.pk for c in companies), key=lambda pk: pk != obj.pk)
    person_ids = sorted((p.pk for p in people), key=lambda pk: pk != obj.pk)
    when = {"occurred_at__lt": before} if before is not None else {}
    activity_lookups = _lookups(Activity.objects.all(), "company_id", company_ids, **when)
    activity_lookups += _lookups(Activity.objects.all(), "person_id", person_ids, **when)
    when = {"created_at__lt": before} if before is not None else {}
    change_lookups = []
    for model, ids in ((Company, company_ids), (Person, person_ids)):
        if not ids:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        of_type = ChangeRecord.objects.filter(content_type=ct)
        change_lookups += _lookups(of_type, "object_id", ids, **when)
        with_parent = ChangeRecord.objects.filter(parent_content_type=ct)
        change_lookups += _lookups(with_parent, "parent_object_id", ids, **when)
    activity_ids = _newest_ids(activity_lookups, "occurred_at", limit + 1)
    change_ids = _newest_ids(change_lookups, "created_at", limit + 1)
    activities = Activity.objects.filter(pk__in=activity_ids).select_related(
        "owner", "company", "person"
    )
    changes = ChangeRecord.objects.filter(pk__in=change_ids).select_related("actor", "content_type")
    entries = [TimelineEntry(a.occurred_at, "activity", a) for a in activities] + [
        TimelineEntry(c.created_at, "change", c) for c in changes
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    if more and page and entries[limit].when == page[-1].when:
        page, more = _with_ties(page, companies, people)
    cursor = page[-1].when if more and page else None
    return page, cursor


def _with_ties(
    page: list[TimelineEntry], companies: list[Company], people: list[Person]
) -> tuple[list[TimelineEntry], bool]:
    """The page plus every entry at its last time, and whether older entries remain.

    The cursor is a time and the next page starts strictly before it, so entries sharing the
    boundary time (calls logged to the minute, imported history) must all be on this page."""
    boundary = page[-1].when
    subjects = Q(company_id__in=[c.pk for c in companies]) | Q(person_id__in=[p.pk for p in people])
    activities = Activity.objects.filter(subjects)
    changes = history_for([*companies, *people])
    shown = {(e.kind, e.item.pk) for e in page}
    tied = activities.filter(occurred_at=boundary).select_related("owner", "company", "person")
    ties = [TimelineEntry(a.occurred_at, "activity", a) for a in tied] + [
        TimelineEntry(c.created_at, "change", c) for c in changes.filter(created_at=boundary)
    ]
    page = page + [e for e in ties if (e.kind, e.item.pk) not in shown]
    page.sort(key=lambda e: e.sort_key, reverse=True)
    more = (
        activities.filter(occurred_at__lt=boundary).exists()
        or changes.filter(created_at__lt=boundary).exists()
    )
    return page, more
