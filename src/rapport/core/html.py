"""HTML escaping for code that writes many small pieces of markup (list rows, select options).

``django.utils.html.conditional_escape`` is wrapped to accept lazy strings, and that wrapper
costs more than the escaping itself when it runs a thousand times per page. ``esc`` does the same
thing for ordinary values: text marked safe is kept as it is, everything else goes through
``html.escape`` (which is what Django's ``escape`` calls).
"""

from __future__ import annotations

import html


def esc(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
