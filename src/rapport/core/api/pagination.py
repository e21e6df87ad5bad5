"""Limit/offset pages with a bounded total count, and a cursor mode for large exports."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, LimitOffsetPagination

from rapport.core.paging import count_and_page, count_bound, page_slice

MAX_PAGE = 500


class PkCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE

    def get_ordering(self, request, queryset, view):
        # DRF would take the list's ordering (e.g. by name, not unique); the cursor mode walks
        # by id, as documented: stable and unique however the records are named or changed.
        return (self.ordering,)


class CountedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset pages whose ``count`` is exact up to a bound past the page (see
    ``rapport.core.paging``); ``count_is_exact`` is false when the list goes on beyond it."""

    default_limit = 50
    max_limit = MAX_PAGE
    count_is_exact = True

    def count_and_page(self, queryset):
        """(count, page): the total (bounded unless ``?count=exact``) and the page's records."""
        bottom, top = self.offset, self.offset + self.limit
        if self.request.query_params.get("count") == "exact":
            # Asked for explicitly: the whole total, at the cost of counting the whole list.
            self.count_is_exact = True
            count = queryset.order_by().count()
            return count, page_slice(queryset, bottom, top)
        count, self.count_is_exact, page = count_and_page(
            queryset, count_bound(bottom, self.limit), bottom, top
        )
        return count, page

    def _cursor(self, request):
        if "cursor" in request.query_params:
            if not hasattr(self, "_cursor_paginator"):
                self._cursor_paginator = PkCursorPagination()
            return self._cursor_paginator
        return None

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self._cursor(request)
        if cursor is not None:
            self.request = request  # get_paginated_response needs it to pick the cursor mode
            return cursor.paginate_queryset(queryset, request, view)
        # DRF's limit/offset, with the page's ids found with the count (see count_and_page). The
        # page stays a queryset: a list serializer may read it as values (contacts.api.pages).
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        self.count, page = self.count_and_page(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        return page

    def get_paginated_response(self, data):
        cursor = self._cursor(self.request)
        if cursor is not None:
            return cursor.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.count_is_exact
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count"]["description"] = (
            "The total when count_is_exact, else a lower bound (the list goes on)."
        )
        result["properties"]["count_is_exact"] = {"type": "boolean"}
        return result

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": "count",
                "required": False,
                "in": "query",
                "description": "`exact`: count the whole list (slower on long lists). Without "
                "it the count is exact up to a bound past the page, see `count_is_exact`.",
                "schema": {"type": "string", "enum": ["exact"]},
            }
        )
        params.append(
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Cursor mode for large exports: pass an empty value to start, then "
                "follow `next`. Results are ordered by id and carry no total count.",
                "schema": {"type": "string"},
            }
        )
        return params
