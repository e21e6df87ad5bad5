"""The API's filter backend: django-filter's, without building a filter set nobody asked for."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend

from rapport.core.filtering import asks_to_filter


class FilterBackend(DjangoFilterBackend):
    """See ``core.filtering.asks_to_filter``."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not asks_to_filter(
            filterset_class, request.query_params
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
