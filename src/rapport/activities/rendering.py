"""The timeline's entries as HTML, written in Python.

A card shows a page of thirty entries; through a template each entry cost some forty variable
lookups, filters and a nested ``{% with %}``, which made the timeline the most expensive part of
the card (8 ms of a long card's 20). The markup is the same the template wrote; every value goes
through ``esc``, translations through gettext with the template's own message ids.
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.activities.selectors.timeline import TimelineEntry
from rapport.core.html import esc


def _when(value) -> str:
    return esc(date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))


def _link(obj, label) -> str:
    return f' · <a href="{esc(obj.get_absolute_url())}">{esc(label)}</a>'


def _activity(a, record) -> str:
    # The other party of the entry: on a person's card the company, and the reverse.
    about = ""
    if a.person_id and a.person != record:
        about += _link(a.person, a.person.full_name)
    if a.company_id and a.company != record:
        about += _link(a.company, a.company.name)
    owner = esc(a.owner) if a.owner_id else ""
    badges = f'<span class="badge text-bg-primary">{esc(a.get_kind_display())}</span>'
    if a.direction:
        badges += (
            f' <span class="badge text-bg-light border">{esc(a.get_direction_display())}</span>'
        )
    duration = ""
    if a.duration_minutes:
        minutes = a.duration_minutes
        text = ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}
        duration = f' <span class="small text-secondary">{esc(text)}</span>'
    body = ""
    if a.body:
        body = (
            '\n    <div class="small text-body-secondary" style="white-space:pre-line">'
            f"{esc(Truncator(a.body).chars(400))}</div>"
        )
    return (
        '\n  <li class="activity">\n'
        f'    <div class="small text-secondary">{_when(a.occurred_at)} · {owner}{about}</div>\n'
        f'    <div>{badges} <a href="{esc(a.get_absolute_url())}" class="fw-semibold">'
        f"{esc(a.subject)}</a>{duration}</div>{body}\n  </li>"
    )


def _change(c) -> str:
    actor = esc(c.actor) if c.actor_id else esc(_("system"))
    fields = ""
    if c.action == "update":
        names = ", ".join(esc(field) for field, _before, _after in c.changed_fields[:6])
        fields = f'\n      <span class="small text-secondary">— {names}</span>'
    return (
        '\n  <li class="change">\n'
        f'    <div class="small text-secondary">{_when(c.created_at)} · {actor}</div>\n'
        f'    <div><span class="badge text-bg-secondary">{esc(c.get_action_display())}</span> '
        f"{esc(c.object_repr)}{fields}</div>\n  </li>"
    )


def render_timeline(
    entries: list[TimelineEntry], *, record, cursor, timeline_url: str
) -> SafeString:
    """The ``<li>`` items of a timeline page, and the "Show older" button when there is more."""
    out = [
        _activity(entry.item, record) if entry.kind == "activity" else _change(entry.item)
        for entry in entries
    ]
    if not entries and not cursor:
        out.append(f'\n  <li class="text-secondary">{esc(_("Nothing has happened yet."))}</li>')
    if cursor:
        url = f"{timeline_url}?before={quote(cursor.isoformat(), safe='')}"
        out.append(
            '\n<li id="timeline-more" class="border-0"><button class="btn btn-sm '
            f'btn-outline-secondary" hx-get="{esc(url)}" hx-target="#timeline-more" '
            f'hx-swap="outerHTML">{esc(_("Show older"))}</button></li>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through esc
