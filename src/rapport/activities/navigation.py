"""Top-bar entries of the activities app: one "Tasks" menu with my tasks, the department's
queue, the team's tasks (heads, directors), the calendar and hand-offs."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from rapport.activities.selectors.tasks import may_see_team


def _optional(name: str, label) -> list[tuple[str, str]]:
    """An entry of a part that may not be installed yet (the calendar, hand-offs)."""
    try:
        return [(reverse(name), label)]
    except NoReverseMatch:
        return []


def items(user) -> list:
    entries = [
        (reverse("activities:task_list"), _("My tasks")),
        (reverse("activities:task_queue"), _("Department queue")),
    ]
    if may_see_team(user):
        entries.append((reverse("activities:task_team"), _("Team tasks")))
    entries.append((reverse("activities:no_next_step"), _("Deals without a next step")))
    entries += _optional("activities:calendar", _("Calendar"))
    entries += _optional("activities:handoff_list", _("Hand-offs"))
    # One menu, so the top bar still fits a laptop's screen.
    return [("", _("Tasks"), "check2-square", entries)]
