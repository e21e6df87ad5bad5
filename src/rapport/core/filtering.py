"""Whether a request filters a list at all (shared by the web lists and the API)."""

from __future__ import annotations

from rapport.core import custom_fields


def asks_to_filter(filterset_class, params) -> bool:
    """True if ``params`` names one of the filter set's filters (or a custom field's).

    A request naming none gets the list as it is, which is what the filter set would return
    (every filter of an empty value leaves the queryset alone); building and validating it for
    nothing was a tenth of a list request's time."""
    return custom_fields.named_in(params) or any(
        name in filterset_class.base_filters for name in params
    )
