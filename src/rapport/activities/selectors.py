"""The customer card's timeline: activities and changes of a person and their companies, merged."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q, QuerySet

from rapport.activities.models import Activity
from rapport.contacts.models import Company, Person
from rapport.core.changelog import history_of, independent_content_type_ids
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


_NEWEST: dict[tuple, IdsQuery] = {}


def _newest(base: Callable[[], QuerySet], key: tuple, field: str, time_field: str, limit: int):
    """The newest ``limit`` rows (id, time) of ``base`` for some ids of ``field``, as SQL
    prepared once per process (see ``core.prepared``): a card runs six of these lookups, and
    building their SQL cost more than running them."""
    key = (*key, field, time_field, limit)
    if key not in _NEWEST:
        _NEWEST[key] = IdsQuery(
            lambda: base().order_by(f"-{time_field}", "-id").values_list("id", time_field),
            field,
            limit,
        )
    return _NEWEST[key]


def _lookups(
    base: Callable[[], QuerySet],
    key: tuple,
    field: str,
    ids: list[int],
    time_field: str,
    limit: int,
    before: datetime.datetime | None,
    own: int = OWN_LOOKUPS,
) -> list[tuple[str, list]]:
    """SQL of a newest-first read of ``limit`` rows for each of the first ``own`` ids, and one
    ``field IN`` read for the rest; older than ``before`` when given (the "Show older" pages,
    whose SQL is built each time)."""
    if before is not None:
        key = (*key, "before")
        older = {f"{time_field}__lt": before}

        def base_before():
            return base().filter(**older)

        def sql(part_ids):
            part = base_before().filter(**{f"{field}__in": part_ids})
            part = part.order_by(f"-{time_field}", "-id").values_list("id", time_field)[:limit]
            sql, params = part.query.sql_with_params()
            return sql, list(params)
    else:
        prepared = _newest(base, key, field, time_field, limit)

        def sql(part_ids):
            return prepared.sql(part_ids)

    parts = [sql([pk]) for pk in ids[:own]]
    if ids[own:]:
        parts.append(sql(ids[own:]))
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
        activity_reads += _lookups(
            Activity.objects.all, ("activity",), field, ids, "occurred_at", n, before
        )
    change_reads = []
    for model, ids in ((Company, company_ids), (Person, person_ids)):
        if not ids:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)

        def of_type(ct=ct):
            return ChangeRecord.objects.filter(content_type=ct)

        def with_parent(ct=ct):
            # Parts of the record (see independent_content_type_ids), not other records.
            return ChangeRecord.objects.filter(parent_content_type=ct).exclude(
                content_type_id__in=independent_content_type_ids()
            )

        own = OWN_CHANGE_LOOKUPS
        change_reads += _lookups(
            of_type, ("change", ct.pk), "object_id", ids, "created_at", n, before, own
        )
        change_reads += _lookups(
            with_parent, ("parent", ct.pk), "parent_object_id", ids, "created_at", n, before, own
        )
    activity_ids = _newest_ids(activity_reads, n)
    change_ids = _newest_ids(change_reads, n)
    activities = Activity.objects.filter(pk__in=activity_ids).select_related(*ACTIVITY_PARTIES)
    changes = ChangeRecord.objects.filter(pk__in=change_ids).select_related("actor", "content_type")
    activities = activities.only(*ACTIVITY_COLUMNS)
    changes = changes.only(*CHANGE_COLUMNS)
    entries = [TimelineEntry(a.occurred_at, "activity", a) for a in activities] + [
        TimelineEntry(c.created_at, "change", c) for c in changes
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    if more and page and entries[limit].when == page[-1].when:
        page, more = _with_ties(page, company_ids, person_ids)
    cursor = page[-1].when if more and page else None
    return page, cursor


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
