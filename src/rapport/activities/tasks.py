"""Background tasks of the activities app: reminders, overdue prompts and follow-up prompts.

Every minute ``send_reminders`` claims the reminders that are due and tells the people concerned;
each kind of reminder is a function called from there (tasks' and meetings'). Due
items are claimed in batches with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked in the same
transaction, so any number of workers never remind of the same item twice; the notifications'
keys make a retried batch harmless too.
"""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.activities.choices import OPEN_TASK_STATUSES
from rapport.activities.models import Task
from rapport.activities.selectors.tasks import about_key, visible_keys
from rapport.core import records
from rapport.core.models import Notification, NotificationKind
from rapport.core.notifications import Notice, notify_many
from rapport.core.schedule import daily, every

BATCH = 500
# A run stops taking new batches after this long, so the next minute's run is not held up.
TIME_BUDGET = 45.0
# Tasks that fell overdue longer ago than this are not prompted any more (e.g. after the
# scheduler was down for days): a late prompt about last month's task helps nobody.
OVERDUE_LOOKBACK = datetime.timedelta(days=1)


def _when(moment) -> str:
    """A time as the reader (whose language is active) reads it, in the site's time zone."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _queue_members(department_ids) -> dict[int, list]:
    """{department id: its active people} for queue tasks nobody has taken (one query)."""
    from rapport.accounts.models import User

    if not department_ids:
        return {}
    members: dict[int, list] = {}
    people = User.objects.filter(is_active=True).filter(
        Q(department_id__in=department_ids) | Q(team__department_id__in=department_ids)
    )
    for user in people.select_related("team"):
        for department_id in {user.department_id, user.team.department_id if user.team else None}:
            if department_id in department_ids:
                members.setdefault(department_id, []).append(user)
    return members


def _recipients(tasks) -> dict[int, list]:
    """{task id: who is told}: the assignee, or the people of the queue the task waits in."""
    members = _queue_members({t.department_id for t in tasks if not t.assignee_id})
    return {
        t.pk: [t.assignee] if t.assignee_id else members.get(t.department_id, []) for t in tasks
    }


def _about(tasks, recipients: dict[int, list]) -> dict[tuple[int, int], str]:
    """{(task id, user id): what the task is about} for the recipients who may see it (a queue's
    people may not see the customer): one query per record type, and per recipient and type."""
    keys = {t.pk: about_key(t) for t in tasks}
    found = records.records_by_key([key for key in keys.values() if key])
    people, wanted = {}, {}
    for t in tasks:
        if keys[t.pk] in found:
            for user in recipients[t.pk]:
                people[user.pk] = user
                wanted.setdefault(user.pk, set()).add(keys[t.pk])
    visible = {pk: visible_keys(people[pk], wanted_keys) for pk, wanted_keys in wanted.items()}
    return {
        (t.pk, user.pk): str(found[keys[t.pk]])
        for t in tasks
        for user in recipients[t.pk]
        if keys[t.pk] in visible.get(user.pk, ())
    }


def _body(task: Task, about: dict[tuple[int, int], str]):
    def render(user) -> str:
        parts = []
        if (task.pk, user.pk) in about:
            parts.append(_("About: %(record)s") % {"record": about[task.pk, user.pk]})
        if task.description:
            parts.append(task.description[:500])
        return "\n".join(parts)

    return render


# Task reminders --------------------------------------------------------------------------------
def reminder_title(task: Task):
    def render(user) -> str:
        if task.due_at:
            return _("Reminder: %(title)s is due at %(time)s") % {
                "title": task.title,
                "time": _when(task.due_at),
            }
        return _("Reminder: %(title)s") % {"title": task.title}

    return render


def claim_task_reminders(*, now=None, batch: int = BATCH) -> list[int]:
    """Claim one batch of due task reminders, mark them sent and tell the assignees; returns
    the ids of the tasks claimed (a done or cancelled task's reminder is claimed, not sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            Task._base_manager.filter(
                remind_at__isnull=False, reminded_at__isnull=True, remind_at__lte=now
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "company", "person")
            .order_by("remind_at", "pk")[:batch]
        )
        if not claimed:
            return []
        Task._base_manager.filter(pk__in=[t.pk for t in claimed]).update(reminded_at=now)
        due = [t for t in claimed if t.status in OPEN_TASK_STATUSES]
        recipients = _recipients(due)
        about = _about(due, recipients)
        notify_many(
            Notice(
                users=recipients[t.pk],
                kind=NotificationKind.REMINDER,
                title=reminder_title(t),
                body=_body(t, about),
                url=t.get_absolute_url(),
                key=f"task-reminder-{t.pk}-{t.remind_at.isoformat()}",
                email=True,
            )
            for t in due
        )
    return [t.pk for t in claimed]


def remind_due_tasks(*, now=None, batch: int = BATCH, budget: float = TIME_BUDGET) -> int:
    """Every due task reminder, batch after batch (each its own transaction)."""
    started, done = time.monotonic(), 0
    while time.monotonic() - started < budget:
        claimed = claim_task_reminders(now=now, batch=batch)
        done += len(claimed)
        if len(claimed) < batch:
            break
    return done


# Overdue prompts -------------------------------------------------------------------------------
def overdue_key(task: Task) -> str:
    return f"task-overdue-{task.pk}-{task.due_at.isoformat()}"


def overdue_title(task: Task):
    def render(user) -> str:
        return _("Overdue: %(title)s was due at %(time)s") % {
            "title": task.title,
            "time": _when(task.due_at),
        }

    return render


def claim_overdue_prompts(*, now=None, batch: int = BATCH, after=None) -> tuple[int, tuple]:
    """Tell the assignees of one batch of tasks that fell overdue (within the look-back) and
    were not told yet. Returns (how many were told, where the next batch starts)."""
    now = now or timezone.now()
    window = Task._base_manager.filter(
        status__in=OPEN_TASK_STATUSES,
        assignee__isnull=False,
        due_at__lt=now,
        due_at__gte=now - OVERDUE_LOOKBACK,
    )
    if after is not None:
        due_at, pk = after
        window = window.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk))
    with transaction.atomic():
        claimed = list(
            window.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "company", "person")
            .order_by("due_at", "pk")[:batch]
        )
        if not claimed:
            return 0, None
        told = set(
            Notification.objects.filter(
                user_id__in={t.assignee_id for t in claimed},
                key__in=[overdue_key(t) for t in claimed],
            ).values_list("user_id", "key")
        )
        due = [t for t in claimed if (t.assignee_id, overdue_key(t)) not in told]
        about = _about(due, {t.pk: [t.assignee] for t in due})
        notify_many(
            Notice(
                users=[t.assignee],
                kind=NotificationKind.REMINDER,
                title=overdue_title(t),
                body=_body(t, about),
                url=t.get_absolute_url(),
                key=overdue_key(t),
                email=True,
            )
            for t in due
        )
    last = claimed[-1]
    return len(due), ((last.due_at, last.pk) if len(claimed) == batch else None)


def prompt_overdue_tasks(*, now=None, batch: int = BATCH, budget: float = TIME_BUDGET) -> int:
    started, told, after = time.monotonic(), 0, None
    while time.monotonic() - started < budget:
        count, after = claim_overdue_prompts(now=now, batch=batch, after=after)
        told += count
        if after is None:
            break
    return told


# Follow-up prompts (H6) ------------------------------------------------------------------------
def prompt_follow_ups(*, now=None) -> int:
    """Tell each owner how many of their open deals have no next step, and each curator how
    many of their customers: once a day (the key carries the date). Returns how many were told."""
    from rapport.accounts.models import User
    from rapport.activities.selectors.tasks import (
        customers_without_next_step_by_curator,
        deals_without_next_step_by_owner,
    )

    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    deals = deals_without_next_step_by_owner(now=now)
    customers = customers_without_next_step_by_curator(now=now)
    people = User.objects.filter(is_active=True, pk__in=set(deals) | set(customers))
    url = reverse("activities:no_next_step")
    notices = []
    for user in people:
        if deals.get(user.pk):
            notices.append(
                Notice(
                    users=[user],
                    kind=NotificationKind.FOLLOW_UP,
                    title=_deals_title(deals[user.pk]),
                    url=url,
                    key=f"deals-without-next-step-{day}",
                )
            )
        if customers.get(user.pk):
            notices.append(
                Notice(
                    users=[user],
                    kind=NotificationKind.FOLLOW_UP,
                    title=_customers_title(customers[user.pk]),
                    url=url,
                    key=f"customers-without-next-step-{day}",
                )
            )
    told = 0
    with transaction.atomic():
        for start in range(0, len(notices), BATCH):
            told += len(notify_many(notices[start : start + BATCH]))
    return told


def _deals_title(count: int):
    return lambda user: (
        ngettext(
            "%(count)d open deal of yours has no next step planned",
            "%(count)d open deals of yours have no next step planned",
            count,
        )
        % {"count": count}
    )


def _customers_title(count: int):
    return lambda user: (
        ngettext(
            "%(count)d customer you curate has no next step planned",
            "%(count)d customers you curate have no next step planned",
            count,
        )
        % {"count": count}
    )


# Meeting reminders -----------------------------------------------------------------------------
def remind_due_meetings(*, now=None, batch: int = BATCH, budget: float = TIME_BUDGET) -> int:
    """Every due meeting reminder, batch after batch (each its own transaction)."""
    from rapport.activities.services.meetings import claim_meeting_reminders

    now = now or timezone.now()
    started, done = time.monotonic(), 0
    while time.monotonic() - started < budget:
        claimed = claim_meeting_reminders(now, batch=batch)
        done += claimed
        if claimed < batch:
            break
    return done


# Hand-off escalation ---------------------------------------------------------------------------
def escalate_due_handoffs(*, now=None, batch: int = BATCH, budget: float = TIME_BUDGET) -> int:
    """Every open hand-off past its deadline goes to the receiving department's head."""
    from rapport.activities.services.handoffs import claim_due_escalations

    started, done = time.monotonic(), 0
    while time.monotonic() - started < budget:
        claimed = claim_due_escalations(now, batch=batch)
        done += claimed
        if claimed < batch:
            break
    return done


# The periodic tasks ----------------------------------------------------------------------------
@every(seconds=60)
@task()
def send_reminders() -> int:
    """Task and meeting reminders and overdue prompts that are due (idempotent: each is
    claimed once)."""
    return remind_due_tasks() + remind_due_meetings() + prompt_overdue_tasks()


@every(seconds=60)
@task()
def escalate_handoffs() -> int:
    """Hand-offs that nobody acknowledged by their deadline go to the department's head."""
    return escalate_due_handoffs()


@daily(at="08:00")
@task()
def send_follow_up_prompts() -> int:
    """The morning's prompts about open deals and customers without a next step."""
    return prompt_follow_ups()
