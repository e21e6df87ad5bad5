"""Counting long lists cheaply: exact up to a bound a little past the page asked for.

``COUNT(*)`` over a scope of a million rows costs tens of milliseconds on PostgreSQL and more on
SQLite, on every page view and API call. Lists therefore count at most to a bound just past the
requested page (rounded to COUNT_STEP): small lists get their exact total, long ones "1000+",
and the next page is always known. The cost follows the page depth, as the OFFSET does anyway.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_STEP = 1000


def count_bound(offset: int, size: int) -> int:
    """Count this far for a page at ``offset``: past the next page, rounded up to COUNT_STEP."""
    return max(COUNT_STEP, -(-(offset + 2 * size) // COUNT_STEP) * COUNT_STEP)


def bounded_count(queryset: QuerySet, bound: int) -> tuple[int, bool]:
    """(rows, exact): the number of rows if at most ``bound``, else ``bound`` and False."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), True
    rows = queryset.order_by()[: bound + 1].count()
    return min(rows, bound), rows <= bound


def page_slice(queryset, bottom: int, top: int):
    """Rows ``bottom:top`` of an ordered queryset (still a queryset, for values/select/prefetch).

    The page's ids are read first, then its rows by id. The ids query touches only the ordering
    index (which also holds the scope columns, so no table row is read for the rows it skips or
    filters out); asked for whole rows at once, SQLite would rather collect the user's whole
    scope through its filter indexes and sort it (50 ms for a rep's 83,000 people), and a deep
    page would make either database skip whole rows."""
    if not isinstance(queryset, QuerySet):
        return queryset[bottom:top]
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    return queryset.filter(pk__in=ids)


class BoundedPaginator(Paginator):
    """A Paginator whose total is exact only up to a bound past the page the user asked for."""

    def __init__(self, object_list, per_page, *, page_hint: int = 1, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.page_hint = max(1, page_hint)
        self.count_is_exact = True

    @cached_property
    def count(self) -> int:
        offset = (self.page_hint - 1) * self.per_page
        rows, self.count_is_exact = bounded_count(
            self.object_list, count_bound(offset, self.per_page)
        )
        return rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_slice(self.object_list, bottom, top), number, self)

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
