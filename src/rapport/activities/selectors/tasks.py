"""Reads of tasks: my tasks by tab, the team's, a department's queue, a record's open tasks, and
the open deals and customers without a next step (follow-up prompts, H6).

Lists read their tasks with the relations they show in one query and the records they are about
with one query per record type (``attach_records``), never one per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from rapport.activities.choices import OPEN_TASK_STATUSES, MeetingStatus, TaskStatus
from rapport.activities.models import Meeting, Task
from rapport.core import records, scoping

# The relations a task row shows (its record comes from attach_records).
TASK_RELATED = ("assignee", "department", "company", "person")
CLOSED_TASK_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)

TABS = ("open", "overdue", "today", "week", "later", "done")
SORTS = {
    "due": (F("due_at").asc(nulls_last=True), "-priority", "pk"),
    "priority": ("-priority", F("due_at").asc(nulls_last=True), "pk"),
}
DONE_ORDER = (F("completed_at").desc(nulls_last=True), "-updated_at", "-pk")


@dataclass(frozen=True)
class Bounds:
    """The times the tabs are cut at, in the site's time zone."""

    now: datetime.datetime
    end_of_today: datetime.datetime
    end_of_week: datetime.datetime

    @classmethod
    def at(cls, now: datetime.datetime | None = None) -> Bounds:
        now = now or timezone.now()
        local = timezone.localtime(now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        # Wall-clock arithmetic in the zone: the next midnight even on a day of 23 or 25 hours.
        end_of_today = midnight + datetime.timedelta(days=1)
        end_of_week = midnight + datetime.timedelta(days=7 - local.weekday())
        return cls(now=now, end_of_today=end_of_today, end_of_week=end_of_week)

    def tab_filter(self, tab: str) -> Q:
        is_open = Q(status__in=OPEN_TASK_STATUSES)
        return {
            "open": is_open,
            "overdue": is_open & Q(due_at__lt=self.now),
            "today": is_open & Q(due_at__gte=self.now, due_at__lt=self.end_of_today),
            "week": is_open & Q(due_at__gte=self.end_of_today, due_at__lt=self.end_of_week),
            "later": is_open & (Q(due_at__gte=self.end_of_week) | Q(due_at__isnull=True)),
            "done": Q(status__in=CLOSED_TASK_STATUSES),
        }[tab]


def overdue_q(now=None) -> Q:
    return Q(status__in=OPEN_TASK_STATUSES, due_at__lt=now or timezone.now())


def visible_tasks(user) -> QuerySet:
    return Task.objects.restrict(user).select_related(*TASK_RELATED)


def my_tasks(user, tab: str = "open", *, bounds: Bounds | None = None) -> QuerySet:
    """The user's own tasks in ``tab``, in the tab's order (due first; done: latest first)."""
    bounds = bounds or Bounds.at()
    tasks = visible_tasks(user).filter(assignee=user).filter(bounds.tab_filter(tab))
    return tasks.order_by(*(DONE_ORDER if tab == "done" else SORTS["due"]))


def my_tab_counts(user, *, bounds: Bounds | None = None) -> dict[str, int]:
    """How many of the user's open tasks each tab holds (one query; done is not counted)."""
    bounds = bounds or Bounds.at()
    open_tabs = [tab for tab in TABS if tab != "done"]
    return (
        Task.objects.restrict(user)
        .filter(assignee=user, status__in=OPEN_TASK_STATUSES)
        .aggregate(**{tab: Count("pk", filter=bounds.tab_filter(tab)) for tab in open_tabs})
    )


def may_see_team(user) -> bool:
    """The team view is for heads of department (their department) and those who see all."""
    return scoping.user_is_active(user) and (user.is_head_of_department or user.sees_everything)


def team_tasks(user) -> QuerySet:
    """Tasks of the head's department's people (everyone's for a director), queue tasks aside."""
    tasks = visible_tasks(user).filter(assignee__isnull=False)
    if not user.sees_everything:
        tasks = tasks.filter(assignee_id__in=user.department_user_ids)
    return tasks


def team_load(tasks: QuerySet, now=None) -> list[dict]:
    """Per assignee: open and overdue tasks (one grouped query), the most overdue first."""
    rows = (
        tasks.filter(status__in=OPEN_TASK_STATUSES)
        .order_by()
        .values("assignee", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
    )
    from rapport.accounts.models import User

    load = [
        {
            "assignee": row["assignee"],
            "name": User.label_for(
                row["assignee__first_name"],
                row["assignee__last_name"],
                row["assignee__username"],
            ),
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
    return sorted(load, key=lambda row: (-row["overdue"], -row["open"], row["name"]))


def queue_department(user, requested: str | None = None):
    """The department whose queue the user looks at: their own; a director may pick any."""
    from rapport.accounts.models import Department

    if requested and str(requested).isdigit() and user.sees_everything:
        chosen = Department.objects.filter(pk=requested).first()
        if chosen is not None:
            return chosen
    department_id = user.department_id_for_scope
    return Department.objects.filter(pk=department_id).first() if department_id else None


def queue_tasks(user, department) -> QuerySet:
    """Open tasks waiting in ``department``'s queue (nobody has taken them yet)."""
    if department is None:
        return Task.objects.none()
    return (
        visible_tasks(user)
        .filter(department=department, assignee__isnull=True, status__in=OPEN_TASK_STATUSES)
        .order_by(*SORTS["due"])
    )


def about_key(task: Task) -> tuple[int, int] | None:
    """(content type id, id) of what the task is about: its record, else its customer."""
    if task.content_type_id:
        return task.content_type_id, task.object_id
    for name in ("company", "person"):
        object_id = getattr(task, f"{name}_id")
        if object_id:
            model = Task._meta.get_field(name).related_model
            return ContentType.objects.get_for_model(model).pk, object_id
    return None


def visible_keys(user, keys) -> set[tuple[int, int]]:
    """Those of ``keys`` (content type id, id) the user may see: one query per record type."""
    by_type: dict[int, set[int]] = {}
    for content_type_id, object_id in keys:
        by_type.setdefault(content_type_id, set()).add(object_id)
    visible: set[tuple[int, int]] = set()
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        seen = model.objects.restrict(user).filter(pk__in=ids).values_list("pk", flat=True)
        visible.update((content_type_id, pk) for pk in seen)
    return visible


def attach_records(user, tasks) -> list[Task]:
    """Give each task what it is about, as the user may know it (one query per record type for
    the records, one for those the user sees; never one per row):

    - ``record``: the record it is attached to (or None);
    - ``about``: that record, else its company or person (or None), with ``about_kind`` (the
      record type's name) and ``about_visible``. A task may be seen without its customer (it
      waits in one's department's queue): then neither the name nor a link is shown.
    """
    tasks = list(tasks)
    keys = {task.pk: about_key(task) for task in tasks}
    wanted = [key for key in keys.values() if key]
    found = records.records_by_key(wanted)
    visible = visible_keys(user, found)
    for task in tasks:
        key = keys[task.pk]
        about = found.get(key) if key else None
        task.about = about
        task.about_visible = key in visible
        task.record = about if task.content_type_id else None
        kind = records.record_type_of(about) if about is not None else None
        task.about_kind = kind.verbose_name.capitalize() if kind else ""
    return tasks


def task_record(user, task: Task):
    """(what the task is about, whether the user may see it) of one task."""
    [task] = attach_records(user, [task])
    return task.about, task.about_visible


def record_key(obj) -> tuple[int, int]:
    return ContentType.objects.get_for_model(obj, for_concrete_model=True).pk, obj.pk


def open_tasks_about(user, obj, *, limit: int = 20) -> list[Task]:
    """The open tasks about a record the card shows: a company's and a person's include the
    tasks on their deals, orders...; any other record's are those attached to it."""
    tasks = visible_tasks(user).filter(status__in=OPEN_TASK_STATUSES)
    label = obj._meta.label_lower
    if label == "contacts.company":
        tasks = tasks.filter(company=obj)
    elif label == "contacts.person":
        tasks = tasks.filter(person=obj)
    else:
        content_type_id, object_id = record_key(obj)
        tasks = tasks.filter(content_type_id=content_type_id, object_id=object_id)
    return attach_records(user, tasks.order_by(*SORTS["due"])[:limit])


# Follow-up prompts (H6) -----------------------------------------------------------------------
def _deal_model():
    return apps.get_model("sales", "Deal")


def next_step_exists(content_type_id, *, now=None, field: str | None = None):
    """(open task exists, planned meeting exists) subqueries for the outer record: attached to
    it (``content_type_id``/``object_id``) or, with ``field``, about the customer in ``field``."""
    now = now or timezone.now()
    if field:
        tasks = Task._base_manager.filter(**{field: OuterRef("pk")})
        meetings = Meeting._base_manager.filter(**{field: OuterRef("pk")})
    else:
        tasks = Task._base_manager.filter(content_type_id=content_type_id, object_id=OuterRef("pk"))
        meetings = Meeting._base_manager.filter(
            content_type_id=content_type_id, object_id=OuterRef("pk")
        )
    return (
        Exists(tasks.filter(status__in=OPEN_TASK_STATUSES)),
        Exists(meetings.filter(status=MeetingStatus.PLANNED, starts_at__gte=now)),
    )


def deals_without_next_step(user=None, *, owner=None, now=None) -> QuerySet:
    """Open deals (the user may see) with no open task and no planned meeting on them."""
    deal = _deal_model()
    content_type_id = ContentType.objects.get_for_model(deal).pk
    has_task, has_meeting = next_step_exists(content_type_id, now=now)
    deals = deal.objects.restrict(user) if user is not None else deal._base_manager.all()
    deals = deals.filter(status="open").filter(~has_task, ~has_meeting)
    if owner is not None:
        deals = deals.filter(owner=owner)
    return deals.select_related("company", "person", "owner", "stage").order_by(
        F("expected_close_date").asc(nulls_last=True), "pk"
    )


def deal_has_next_step(deal, now=None) -> bool:
    content_type_id = ContentType.objects.get_for_model(deal, for_concrete_model=True).pk
    has_task, has_meeting = next_step_exists(content_type_id, now=now)
    return type(deal)._base_manager.filter(pk=deal.pk).filter(has_task | has_meeting).exists()


def deals_without_next_step_by_owner(now=None) -> dict[int, int]:
    """{owner id: number of their open deals without a next step} over all deals (one query),
    for the daily prompt."""
    rows = (
        deals_without_next_step(None, now=now)
        .filter(owner__isnull=False)
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
    )
    return {row["owner"]: row["n"] for row in rows}


def customers_without_next_step(user, *, curator=None, now=None) -> QuerySet:
    """Customers (companies of kind "customer") with no open task and no planned meeting about
    them, among those the user may see (and, with ``curator``, curates)."""
    from rapport.contacts.models import Company

    has_task, has_meeting = next_step_exists(None, now=now, field="company")
    companies = Company.objects.restrict(user).filter(kind="customer")
    if curator is not None:
        companies = companies.filter(curator=curator)
    return (
        companies.filter(~has_task, ~has_meeting).select_related("curator").order_by("name", "pk")
    )


def customers_without_next_step_by_curator(now=None) -> dict[int, int]:
    """{curator id: number of their customers without a next step} (one query)."""
    from rapport.contacts.models import Company

    has_task, has_meeting = next_step_exists(None, now=now, field="company")
    rows = (
        Company._base_manager.filter(kind="customer", curator__isnull=False)
        .filter(~has_task, ~has_meeting)
        .order_by()
        .values("curator")
        .annotate(n=Count("pk"))
    )
    return {row["curator"]: row["n"] for row in rows}
