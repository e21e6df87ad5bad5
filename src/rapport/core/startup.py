"""What a web process does once the application is loaded, before its first request."""

from __future__ import annotations

import gc


def settle() -> None:
    """Load every URL pattern (and with them the view modules), then hand everything alive now
    to ``gc.freeze()``: the modules, classes and caches of a loaded Django process are some
    100,000 objects that live as long as the process, and every full collection walked them
    all — a 40–55 ms pause in the middle of a request, now and then (the benchmark's p99).
    Frozen, they are never walked again; what requests create is collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views it names
    gc.collect()
    gc.freeze()
