"""Template helpers of the processes app: lengths of time, a stage's state badge."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from rapport.processes.choices import StageStatus

register = template.Library()

BADGES = {
    StageStatus.PENDING: "text-bg-light border",
    StageStatus.ACTIVE: "text-bg-primary",
    StageStatus.DONE: "text-bg-success",
    StageStatus.SKIPPED: "text-bg-warning",
}


@register.filter
def span(value) -> str:
    """A length of time as days and hours, hours and minutes, or minutes."""
    if value is None:
        return "—"
    if not isinstance(value, datetime.timedelta):
        return str(value)
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.simple_tag
def stage_badge(stage) -> str:
    return format_html(
        '<span class="badge {}" data-stage-status="{}">{}</span>',
        BADGES.get(stage.status, "text-bg-light"),
        stage.status,
        stage.get_status_display(),
    )
