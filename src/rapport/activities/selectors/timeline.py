"""The customer card's timeline: activities and changes of a person and their companies, merged."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q, QuerySet

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.changelog import history_of, parts_of
from rapport.core.models import ChangeRecord
from rapport.core.prepared import IdsQuery

PAGE = 30
# Records looked up one by one (an index range read of at most one page each); the rest of the
# related records share one lookup. Keeps the card's cost flat however long the history grows.
OWN_LOOKUPS = 20
# Changes are far fewer than activities (a record is created once and edited now and then), so
# fewer of them get a lookup of their own; each lookup is planned anew, and forty of them took
# PostgreSQL longer to plan than to run.
OWN_CHANGE_LOOKUPS = 5


# An entry shows its parties by name and link: read those columns, not the whole company and
# person rows (their custom fields and search text were most of the card's reading time).
USER_NAME = ("first_name", "last_name", "username")
ACTIVITY_PARTIES = ("owner", "company", "person")
ACTIVITY_COLUMNS = (
    *(f.name for f in Activity._meta.concrete_fields),
    *(f"owner__{name}" for name in USER_NAME),
    "company__name",
    *(f"person__{name}" for name in ("first_name", "middle_name", "last_name")),
)
CHANGE_COLUMNS = (
    *(f.name for f in ChangeRecord._meta.concrete_fields),
    *(f"actor__{name}" for name in USER_NAME),
    "content_type__app_label",
    "content_type__model",
)


@dataclass
class TimelineEntry:
    when: datetime.datetime
    kind: str  # "activity" or "change"
    item: Any

    @property
    def sort_key(self):
        return (self.when, self.kind == "activity", self.item.pk)


def related_records(obj, user) -> tuple[list[int], list[int]]:
    """Ids of the card's own record plus the related records the user may see (one query)."""
    if isinstance(obj, Company):
        people = Person.objects.restrict(user).filter(employments__company=obj)
        return [obj.pk], list(people.values_list("pk", flat=True))
    companies = Company.objects.restrict(user).filter(employments__person=obj)
    return list(companies.values_list("pk", flat=True)), [obj.pk]


def _base(kind: str, content_type_id: int | None) -> QuerySet:
    """The rows one kind of lookup reads: activities, changes of records of a type, or changes
    of their parts."""
    if kind == "activity":
        return Activity.objects.all()
    if kind == "change":
        return ChangeRecord.objects.filter(content_type_id=content_type_id)
    return ChangeRecord.objects.filter(parts_of(content_type_id))


def _newest_query(
    kind: str,
    content_type_id: int | None,
    field: str,
    time_field: str,
    limit: int,
    before: datetime.datetime | None = None,
) -> IdsQuery:
    """The newest ``limit`` rows (id, time) of a kind for some ids of ``field``, older than
    ``before`` when given."""

    def build():
        rows = _base(kind, content_type_id)
        if before is not None:
            rows = rows.filter(**{f"{time_field}__lt": before})
        return rows.order_by(f"-{time_field}", "-id").values_list("id", time_field)

    return IdsQuery(build, field, limit)


# A card's first page: each kind of lookup compiled once per process (a card runs six, and
# building their SQL cost more than running them). "Show older" pages compile theirs once per
# request, for all the ids of that kind.
_prepared_newest = functools.cache(_newest_query)


def _lookups(
    kind: str,
    content_type_id: int | None,
    field: str,
    ids: list[int],
    time_field: str,
    limit: int,
    before: datetime.datetime | None,
    own: int = OWN_LOOKUPS,
) -> list[tuple[str, list]]:
    """SQL of a newest-first read of ``limit`` rows for each of the first ``own`` ids, and one
    ``field IN`` read for the rest."""
    if before is None:
        query = _prepared_newest(kind, content_type_id, field, time_field, limit)
    else:
        query = _newest_query(kind, content_type_id, field, time_field, limit, before)
    parts = [query.sql([pk]) for pk in ids[:own]]
    if ids[own:]:
        parts.append(query.sql(ids[own:]))
    return parts


def _newest_ids(parts: list[tuple[str, list]], limit: int, using: str = "default") -> list[int]:
    """Ids of the newest rows of several reads, each cut at ``limit`` by its own index range
    read, merged in one UNION query (written out because SQLite does not let Django put LIMIT
    inside the parts of a compound query)."""
    if not parts:
        return []
    # UNION, not UNION ALL: a row found by two lookups (an activity with both a company and a
    # person, a change with a parent) must count once, or the page comes out short.
    sql = " UNION ".join(f"SELECT * FROM ({part}) AS part{n}" for n, (part, _p) in enumerate(parts))
    params = [param for _part, part_params in parts for param in part_params]
    with connections[using].cursor() as cursor:
        cursor.execute(sql + " ORDER BY 2 DESC, 1 DESC LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def timeline(
    obj: Company | Person,
    *,
    user,
    before: datetime.datetime | None = None,
    limit: int = PAGE,
    related: tuple[list[int], list[int]] | None = None,
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """Newest entries first; returns the page and the cursor for the next one (or None).

    Four queries whatever the length of the history: the related records, the ids of the newest
    activities and changes (each a UNION ALL of index range reads), and the rows themselves."""
    company_ids, person_ids = (
        (list(related[0]), list(related[1])) if related else related_records(obj, user)
    )
    # The card's own record first, so that it always gets a lookup of its own.
    company_ids.sort(key=lambda pk: pk != obj.pk)
    person_ids.sort(key=lambda pk: pk != obj.pk)
    n = limit + 1
    activity_reads = []
    for field, ids in (("company_id", company_ids), ("person_id", person_ids)):
        activity_reads += _lookups("activity", None, field, ids, "occurred_at", n, before)
    change_reads = []
    for model, ids in ((Company, company_ids), (Person, person_ids)):
        if not ids:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        for kind, field in (("change", "object_id"), ("parts", "parent_object_id")):
            change_reads += _lookups(
                kind, ct, field, ids, "created_at", n, before, OWN_CHANGE_LOOKUPS
            )
    activity_ids = _newest_ids(activity_reads, n)
    change_ids = _newest_ids(change_reads, n)
    entries = _entries(
        Activity.objects.filter(pk__in=activity_ids), ChangeRecord.objects.filter(pk__in=change_ids)
    )
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    if more and page and entries[limit].when == page[-1].when:
        page, more = _with_ties(page, company_ids, person_ids)
    cursor = page[-1].when if more and page else None
    return page, cursor


def _entries(activities: QuerySet, changes: QuerySet) -> list[TimelineEntry]:
    """Entries of these activities and changes, read with the columns an entry shows."""
    activities = activities.select_related(*ACTIVITY_PARTIES).only(*ACTIVITY_COLUMNS)
    changes = changes.select_related("actor", "content_type").only(*CHANGE_COLUMNS)
    return [TimelineEntry(a.occurred_at, "activity", a) for a in activities] + [
        TimelineEntry(c.created_at, "change", c) for c in changes
    ]


def _with_ties(
    page: list[TimelineEntry], company_ids: list[int], person_ids: list[int]
) -> tuple[list[TimelineEntry], bool]:
    """The page plus every entry at its last time, and whether older entries remain.

    The cursor is a time and the next page starts strictly before it, so entries sharing the
    boundary time (calls logged to the minute, imported history) must all be on this page."""
    boundary = page[-1].when
    subjects = Q(company_id__in=company_ids) | Q(person_id__in=person_ids)
    activities = Activity.objects.filter(subjects)
    changes = history_of({Company: company_ids, Person: person_ids})
    shown = {(e.kind, e.item.pk) for e in page}
    ties = _entries(activities.filter(occurred_at=boundary), changes.filter(created_at=boundary))
    page = page + [e for e in ties if (e.kind, e.item.pk) not in shown]
    page.sort(key=lambda e: e.sort_key, reverse=True)
    more = (
        activities.filter(occurred_at__lt=boundary).exists()
        or changes.filter(created_at__lt=boundary).exists()
    )
    return page, more
