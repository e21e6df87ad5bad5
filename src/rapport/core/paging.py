"""Counting long lists cheaply: exact up to a bound a little past the page asked for.

``COUNT(*)`` over a scope of a million rows costs tens of milliseconds on PostgreSQL and more on
SQLite, on every page view and API call. Lists therefore count at most to a bound just past the
requested page (rounded to COUNT_STEP): small lists get their exact total, long ones "1000+",
and the next page is always known. The cost follows the page depth, as the OFFSET does anyway.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.utils.functional import cached_property

COUNT_STEP = 1000


def count_bound(offset: int, size: int) -> int:
    """Count this far for a page at ``offset``: past the next page, rounded up to COUNT_STEP."""
    return max(COUNT_STEP, -(-(offset + 2 * size) // COUNT_STEP) * COUNT_STEP)


def count_and_page(queryset: QuerySet, bound: int, bottom: int, top: int):
    """(rows, exact, page): the number of rows if at most ``bound`` (else ``bound`` and False),
    and the records ``bottom:top``, found in one walk of the list.

    Counting up to the bound and finding the page's ids read the same leading part of the
    ordering index; for a deep page of a rep's list (whose scope no index orders) each walk
    took 9 ms on PostgreSQL. One statement numbers the bounded ids and keeps those of the page:
    ``SELECT rid, n FROM (SELECT rid, ROW_NUMBER() OVER () AS rn, COUNT(*) OVER () AS n FROM
    (<ids in order, LIMIT bound + 1>)) WHERE rn > bottom AND rn <= top`` (an empty page also
    reports the count: the outer query keeps one row, without an id, when none is in range).
    The page is a queryset of the records with those ids, in the list's order."""
    if not isinstance(queryset, QuerySet):
        rows = len(queryset)
        return min(rows, bound), rows <= bound, queryset[bottom:top]
    try:
        ids_sql, params = (
            queryset.values(rid=F("pk"))[: bound + 1].query.get_compiler(queryset.db).as_sql()
        )
    except EmptyResultSet:  # e.g. a scope that matches nothing (pk IN ())
        return 0, True, queryset.none()
    sql = (
        "SELECT CASE WHEN rn > %s AND rn <= %s THEN rid END, n FROM ("
        " SELECT s.rid AS rid, ROW_NUMBER() OVER () AS rn, COUNT(*) OVER () AS n"
        f" FROM ({ids_sql}) s) numbered WHERE (rn > %s AND rn <= %s) OR rn = 1"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [bottom, top, *params, bottom, top])
        found = cursor.fetchall()
    rows = found[0][1] if found else 0
    ids = [rid for rid, _n in found if rid is not None]
    return min(rows, bound), rows <= bound, queryset.filter(pk__in=ids)


def page_slice(queryset, bottom: int, top: int):
    """Rows ``bottom:top`` of an ordered queryset (still a queryset, for values/select/prefetch).

    The page's ids are found first, then its rows by id, in one statement
    (``WHERE id IN (SELECT id ... ORDER BY ... LIMIT ... OFFSET ...)``). The ids subquery touches
    only the ordering index (which also holds the scope columns, so no table row is read for the
    rows it skips or filters out); asked for whole rows at once, SQLite would rather collect the
    user's whole scope through its filter indexes and sort it (50 ms for a rep's 83,000 people),
    and a deep page would make either database skip whole rows."""
    if not isinstance(queryset, QuerySet):
        return queryset[bottom:top]
    ids = queryset.values("pk")[bottom:top]
    return queryset.filter(pk__in=ids)


class BoundedPaginator(Paginator):
    """A Paginator whose total is exact only up to a bound past the page the user asked for."""

    def __init__(self, object_list, per_page, *, page_hint: int = 1, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.page_hint = max(1, page_hint)
        self.count_is_exact = True

    @cached_property
    def count(self) -> int:
        # The page the user asked for is read with the count (see count_and_page); another
        # page (past the end, so the last one) is read on its own.
        bottom = (self.page_hint - 1) * self.per_page
        rows, self.count_is_exact, self._hinted_page = count_and_page(
            self.object_list, count_bound(bottom, self.per_page), bottom, bottom + self.per_page
        )
        return rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if number == self.page_hint and top <= bottom + self.per_page:
            object_list = self._hinted_page
        else:
            object_list = page_slice(self.object_list, bottom, top)
        return self._get_page(object_list, number, self)

    @property
    def count_display(self) -> str:
        return str(self.count) if self.count_is_exact else f"{self.count}+"

    @property
    def num_pages_display(self) -> str:
        return str(self.num_pages) if self.count_is_exact else f"{self.num_pages}+"


def page_hint(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
