"""The "Tasks" section of the cards of customers, leads, deals, orders and invoices: the
record's open tasks and "New task" and "Plan a meeting" buttons prefilled with the record; on an
open deal, a flag when no next step is planned (no open task, no planned meeting: H6). Below it,
the hand-offs of the record's tasks (views/handoffs.py), when there are any."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from rapport.activities.selectors.tasks import deal_has_next_step, open_tasks_about
from rapport.activities.views.handoffs import handoffs_section
from rapport.core import scoping


def record_tasks(request, obj, *, can_change: bool) -> str:
    user = request.user
    tasks = open_tasks_about(user, obj)
    for task in tasks:
        task.about_is_other = task.about is not None and task.about != obj
    flag = False
    if obj._meta.label_lower == "sales.deal" and getattr(obj, "status", "") == "open":
        flag = not tasks and not deal_has_next_step(obj)
    return render_to_string(
        "activities/task_card.html",
        {
            "tasks": tasks,
            "record_value": f"{obj._meta.label_lower}:{obj.pk}",
            # A task on a record one sees is for anyone who may write (a task for oneself).
            "can_add": scoping.may_write(user),
            "now": timezone.now(),
            "here": request.get_full_path(),
            "flag": flag,
        },
        request=request,
    )


SECTIONS = {
    "contacts.company": [record_tasks, handoffs_section],
    "contacts.person": [record_tasks, handoffs_section],
    "sales.lead": [record_tasks, handoffs_section],
    "sales.deal": [record_tasks, handoffs_section],
    "orders.order": [record_tasks, handoffs_section],
    "orders.invoice": [record_tasks, handoffs_section],
}
