"""Months and quarters of a date range: keys, labels and the bounds used in queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_key(day: date | datetime, period: str = MONTH) -> date:
    """The first day of the month (or quarter) holding ``day``; aware datetimes in local time."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if period == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def period_keys(start: date, end: date, period: str = MONTH) -> list[date]:
    keys, key = [], period_key(start, period)
    step = 3 if period == QUARTER else 1
    while key <= end:
        keys.append(key)
        key = add_months(key, step)
    return keys


def period_label(key: date, period: str = MONTH) -> str:
    if period == QUARTER:
        return _("Q%(quarter)d %(year)d") % {"quarter": (key.month - 1) // 3 + 1, "year": key.year}
    return date_format(key, "YEAR_MONTH_FORMAT")


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in local time: index-friendly datetime filters."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def this_year(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def last_twelve_months(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return add_months(month_start(today), -11), today
