"""Limit/offset pages with the total count, and a cursor mode for large exports."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, LimitOffsetPagination

MAX_PAGE = 500


class PkCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE


class CountedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = MAX_PAGE

    def _cursor(self, request):
        if "cursor" in request.query_params:
            if not hasattr(self, "_cursor_paginator"):
                self._cursor_paginator = PkCursorPagination()
            return self._cursor_paginator
        return None

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self._cursor(request)
        if cursor is not None:
            return cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        cursor = self._cursor(self.request)
        if cursor is not None:
            return cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
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
