"""Reads of hand-offs: who belongs to a department (and heads it), the rows of the hand-off
lists with what each user may see and do, a record's hand-offs.

A page of hand-offs is read with its relations in one query; the records the tasks are about
and the tasks the user may open take one query each (one per record type for the records), never
one per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch
from django.utils import timezone

from rapport.accounts.choices import Role
from rapport.activities.choices import OPEN_HANDOFF_STATUSES, HandoffStatus
from rapport.activities.models import Handoff, Task
from rapport.core import records

HANDOFF_RELATED = (
    "task",
    "from_user",
    "from_department",
    "to_department",
    "acknowledged_by",
    "escalated_to",
)


# Departments ------------------------------------------------------------------------------------
def members_q(department_ids) -> Q:
    """Users of the departments: by their own department, else by their team's (the same rule
    as the department queues' scope, ``User.department_id_for_scope``)."""
    ids = list(department_ids)
    return Q(department_id__in=ids) | Q(department__isnull=True, team__department_id__in=ids)


def department_members(department_ids) -> dict[int, list]:
    """{department id: its active users}, for many departments in one query."""
    from rapport.accounts.models import User

    found: dict[int, list] = defaultdict(list)
    ids = {pk for pk in department_ids if pk}
    if not ids:
        return found
    users = User.objects.filter(members_q(ids), is_active=True).select_related("team")
    for user in users.order_by("last_name", "first_name", "pk"):
        found[user.department_id_for_scope].append(user)
    return found


def heads_among(members: list) -> list:
    return [user for user in members if user.role == Role.HEAD]


def is_member(user, department_id) -> bool:
    return bool(department_id) and user.department_id_for_scope == department_id


# Lists ------------------------------------------------------------------------------------------
def handoffs_for(user) -> QuerySet:
    return Handoff.objects.restrict(user).select_related(*HANDOFF_RELATED)


def waiting_first(queryset: QuerySet) -> QuerySet:
    """Waiting for acknowledgement first, then acknowledged, then closed; by deadline."""
    rank = Case(
        When(status=HandoffStatus.SENT, then=Value(0)),
        When(status=HandoffStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.order_by(rank, "deadline", "pk")


def incoming_waiting_count(user) -> int:
    """Hand-offs to the user's department still waiting for acknowledgement (a menu badge)."""
    department = user.department_id_for_scope
    if department is None:
        return 0
    return Handoff.objects.filter(to_department_id=department, status=HandoffStatus.SENT).count()


def task_url(task) -> str:
    """The task's page (another part of the app provides it; nothing when it does not yet)."""
    try:
        return task.get_absolute_url()
    except NoReverseMatch:
        return ""


@dataclass
class HandoffRow:
    handoff: Handoff
    is_overdue: bool
    may_act: bool  # a member of the receiving department and the hand-off is open
    may_acknowledge: bool
    task_url: str = ""  # empty when the user may not open the task
    about_label: str = ""
    about_url: str = ""


def _visible_records(user, tasks) -> dict[int, tuple[str, str]]:
    """{task id: (label, url)} of the record each task is about, when the user sees it."""
    keys = {}
    for task in tasks:
        if task.content_type_id and task.object_id:
            keys[task.pk] = (task.content_type_id, task.object_id)
        elif task.person_id:
            keys[task.pk] = (_content_type_id("contacts.person"), task.person_id)
        elif task.company_id:
            keys[task.pk] = (_content_type_id("contacts.company"), task.company_id)
    wanted: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in keys.values():
        wanted[content_type_id].add(object_id)
    seen: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or records.record_type_of(model) is None:
            continue
        for obj in model.objects.restrict(user).filter(pk__in=ids):
            seen[(content_type_id, obj.pk)] = obj
    found = {}
    for task_id, key in keys.items():
        obj = seen.get(key)
        if obj is not None:
            found[task_id] = (str(obj), obj.get_absolute_url())
    return found


def _content_type_id(label: str) -> int:
    app_label, model = label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model).pk


def rows_for(user, handoffs, *, now: datetime.datetime | None = None) -> list[HandoffRow]:
    """The list rows of ``handoffs`` (read with HANDOFF_RELATED) for ``user``."""
    handoffs = list(handoffs)
    now = now or timezone.now()
    tasks = [h.task for h in handoffs]
    visible_tasks = set(
        Task.objects.restrict(user)
        .filter(pk__in=[t.pk for t in tasks])
        .values_list("pk", flat=True)
    )
    about = _visible_records(user, tasks)
    rows = []
    for handoff in handoffs:
        is_open = handoff.status in OPEN_HANDOFF_STATUSES
        member = is_member(user, handoff.to_department_id) and not user.is_read_only
        label, url = about.get(handoff.task_id, ("", ""))
        rows.append(
            HandoffRow(
                handoff=handoff,
                is_overdue=is_open and handoff.deadline < now,
                may_act=member and is_open,
                may_acknowledge=member and handoff.status == HandoffStatus.SENT,
                task_url=task_url(handoff.task) if handoff.task_id in visible_tasks else "",
                about_label=label,
                about_url=url,
            )
        )
    return rows


def handoffs_of_record(user, obj, *, limit: int = 20) -> QuerySet:
    """Hand-offs of the tasks about ``obj`` (a task itself, a customer or any record)."""
    queryset = handoffs_for(user)
    if isinstance(obj, Task):
        queryset = queryset.filter(task=obj)
    elif obj._meta.label_lower == "contacts.company":
        queryset = queryset.filter(task__company_id=obj.pk)
    elif obj._meta.label_lower == "contacts.person":
        queryset = queryset.filter(task__person_id=obj.pk)
    else:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        queryset = queryset.filter(task__content_type=content_type, task__object_id=obj.pk)
    return waiting_first(queryset)[:limit]
