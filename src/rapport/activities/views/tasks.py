"""Task screens: my tasks by tab, the team's (heads, directors), a department's queue, the deals
without a next step, a task's page with its checklist and moves, and the task form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.accounts.models import User
from rapport.activities.choices import OPEN_TASK_STATUSES, HandoffStatus, TaskStatus
from rapport.activities.filtersets.tasks import MyTaskFilterSet, TeamTaskFilterSet
from rapport.activities.forms.tasks import TaskForm, checklist_lines
from rapport.activities.models import Handoff, Task
from rapport.activities.selectors import tasks as selectors
from rapport.activities.selectors.handoffs import is_member
from rapport.activities.services import tasks as services
from rapport.activities.views.handoffs import handoffs_section
from rapport.core import records, scoping
from rapport.core.changelog import history_for
from rapport.core.errors import DomainError, NotFound
from rapport.core.paging import BoundedPaginator, page_hint
from rapport.core.services import etag_for
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)

# The buttons of a task's page: (status it moves to, Bootstrap colour), each shown when the
# move is allowed (services.tasks.MOVES).
MOVE_BUTTONS = [
    (TaskStatus.IN_PROGRESS, "outline-primary"),
    (TaskStatus.DONE, "success"),
    (TaskStatus.CANCELLED, "outline-secondary"),
    (TaskStatus.OPEN, "outline-primary"),
]


def _move_label(status: str) -> str:
    return {
        TaskStatus.IN_PROGRESS: _("Start"),
        TaskStatus.DONE: _("Done"),
        TaskStatus.CANCELLED: _("Cancel task"),
        TaskStatus.OPEN: _("Reopen"),
    }[status]


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return fallback


def parse_record(user, value: str):
    """The record named ``app_label.model:id`` if the user sees it (else 404)."""
    label, _sep, object_id = (value or "").partition(":")
    try:
        return records.find_record(user, label, object_id)
    except NotFound:
        raise Http404 from None


class TaskListMixin(FilteredListMixin):
    """A list of tasks: the FilterSet's narrowing, a due or priority order, a bounded page
    whose tasks carry their record (one query per record type)."""

    model = Task
    sort_fields = {"due": (), "priority": ()}
    default_sort = "due"
    page_size = 50

    def sorted_queryset(self, qs, *, few=False):
        if self.tab() == "done":
            return qs.order_by(*selectors.DONE_ORDER)
        return qs.order_by(*selectors.SORTS[self.sort_key().lstrip("-")])

    def tab(self) -> str:
        return ""

    def task_page(self):
        page = self.page()
        page.object_list = selectors.attach_records(self.request.user, page.object_list)
        return page

    def list_context(self) -> dict:
        return {
            "filter": self.filterset,
            "page": self.task_page(),
            "sort": self.sort_key(),
            "query_without_page": self.query_without("page"),
            "query_without_sort": self.query_without("sort", "page"),
            "can_write": scoping.may_write(self.request.user),
            "now": self.bounds.now,
            "here": self.request.get_full_path(),
            "sees_team": selectors.may_see_team(self.request.user),
        }

    @property
    def bounds(self) -> selectors.Bounds:
        if not hasattr(self, "_bounds"):
            self._bounds = selectors.Bounds.at()
        return self._bounds


class MyTasksView(TaskListMixin, TemplateView):
    template_name = "activities/task_list.html"
    filterset_class = MyTaskFilterSet

    def tab(self) -> str:
        tab = self.request.GET.get("tab", "open")
        return tab if tab in selectors.TABS else "open"

    def scoped_queryset(self, action=None):
        return selectors.my_tasks(self.request.user, self.tab(), bounds=self.bounds)

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Eleven at most: ten shown, the eleventh says there are more.
        stalled = list(selectors.deals_without_next_step(user, owner=user)[:11])
        return {
            **super().get_context_data(**kwargs),
            **self.list_context(),
            "tab": self.tab(),
            "counts": selectors.my_tab_counts(user, bounds=self.bounds),
            "query_without_tab": self.query_without("tab", "page"),
            "stalled_deals": stalled[:10],
            "more_stalled": len(stalled) > 10,
        }


class TeamTasksView(TaskListMixin, TemplateView):
    """Heads: their department's people's tasks; directors: everyone's. Open ones unless a
    status is asked for."""

    template_name = "activities/task_team.html"
    filterset_class = TeamTaskFilterSet

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.may_see_team(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self, action=None):
        tasks = selectors.team_tasks(self.request.user)
        get = self.request.GET
        if not get.get("status") and not get.get("is_open") and not get.get("overdue"):
            tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
        return tasks

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            **self.list_context(),
            "load": selectors.team_load(selectors.team_tasks(user), self.bounds.now),
        }


class QueueView(TaskListMixin, TemplateView):
    """The tasks waiting in the user's department's queue (a director may pick another). A task
    another department handed over is acknowledged and taken in one go from here, so taking it
    never leaves its hand-off unanswered (and escalated)."""

    template_name = "activities/task_queue.html"
    filterset_class = MyTaskFilterSet

    @property
    def department(self):
        if not hasattr(self, "_department"):
            self._department = selectors.queue_department(
                self.request.user, self.request.GET.get("department")
            )
        return self._department

    def scoped_queryset(self, action=None):
        return selectors.queue_tasks(self.request.user, self.department)

    def task_page(self):
        page = super().task_page()
        department = self.department
        if department is not None and is_member(self.request.user, department.pk):
            waiting = {
                handoff.task_id: handoff
                for handoff in Handoff.objects.filter(
                    task__in=[task.pk for task in page.object_list],
                    to_department=department,
                    status=HandoffStatus.SENT,
                ).select_related("from_user")
            }
            for task in page.object_list:
                task.waiting_handoff = waiting.get(task.pk)
        return page

    def get_context_data(self, **kwargs):
        from rapport.accounts.models import Department

        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            **self.list_context(),
            "department": self.department,
            "departments": Department.objects.all() if user.sees_everything else [],
            "can_take": scoping.may_write(user),
        }


class NoNextStepView(ScopedMixin, TemplateView):
    """Open deals without a next step (no open task, no planned meeting): one's own; a head's
    department's or anyone's for those who see them, by owner. Customers one curates too."""

    model = Task
    template_name = "activities/task_no_next_step.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        wide = selectors.may_see_team(user)
        owner = user
        chosen = self.request.GET.get("owner", "")
        if wide:
            owner = None
            if chosen.isdigit():
                owner = User.objects.filter(pk=chosen).first()
        deals = selectors.deals_without_next_step(user, owner=owner)
        number = self.request.GET.get("page")
        page = BoundedPaginator(deals, 50, page_hint=page_hint(number)).get_page(number)
        customers = list(selectors.customers_without_next_step(user, curator=user)[:21])
        params = self.request.GET.copy()
        params.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "query_without_page": params.urlencode(),
            "wide": wide,
            "owner": owner,
            "owners": (
                User.objects.filter(pk__in=user.department_user_ids)
                if wide and not user.sees_everything
                else User.objects.filter(is_active=True)
                if wide
                else []
            ),
            "customers": customers[:20],
            "more_customers": len(customers) > 20,
            "can_write": scoping.may_write(user),
        }


class TaskDetailView(ScopedMixin, TemplateView):
    model = Task
    template_name = "activities/task_detail.html"

    def scoped_queryset(self, action=None):
        return (
            super()
            .scoped_queryset(action)
            .select_related(*selectors.TASK_RELATED, "author", "team", "completed_by")
        )

    def get_context_data(self, **kwargs):
        task = self.get_scoped_object()
        user = self.request.user
        can_change = Task.objects.restrict(user, scoping.CHANGE).filter(pk=task.pk).exists()
        [task] = selectors.attach_records(user, [task])
        moves = services.MOVES.get(task.status, set())
        return {
            **super().get_context_data(**kwargs),
            "task": task,
            "about": task.about,
            "about_visible": task.about_visible,
            "about_kind": task.about_kind,
            "can_change": can_change,
            "can_take": can_change and task.assignee_id is None and task.is_open,
            "moves": [(s, _move_label(s), css) for s, css in MOVE_BUTTONS if s in moves],
            "overdue": task.is_overdue(),
            "history": task_history(task),
            # Where its hand-offs stand: the sender, who keeps seeing the task, reads it here.
            "handoffs": handoffs_section(self.request, task, can_change=can_change),
        }


def task_history(task) -> list[dict]:
    """The task's change log, newest first, with the fields each change touched."""
    labels = {name: Task._meta.get_field(name).verbose_name for name in Task.tracked_fields}
    entries = []
    for change in history_for([task])[:50]:
        before, after = change.before or {}, change.after or {}
        fields = []
        if change.action == "update":
            for name in Task.tracked_fields:
                if before.get(name) != after.get(name):
                    fields.append(
                        {
                            "label": labels[name],
                            "before": _shown(name, before.get(name)),
                            "after": _shown(name, after.get(name)),
                        }
                    )
        entries.append({"change": change, "fields": fields})
    return entries


def _shown(name: str, value) -> str:
    """A logged value as a person reads it."""
    import datetime

    from django.utils import formats, timezone

    from rapport.activities.choices import TaskPriority

    if value in (None, "", []):
        return "—"
    if name == "status":
        return str(TaskStatus(value).label) if value in TaskStatus.values else str(value)
    if name == "priority":
        return str(TaskPriority(value).label) if value in TaskPriority.values else str(value)
    if name in ("due_at", "remind_at"):
        try:
            moment = timezone.localtime(datetime.datetime.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if name == "checklist":
        done = sum(1 for item in value if item.get("done"))
        return f"{done}/{len(value)}"
    return str(value)


class TaskFormView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """Create a task (no pk; ``?record=app.model:id`` attaches it) or edit one (pk)."""

    model = Task
    action = scoping.CHANGE
    template_name = "activities/task_form.html"

    def get_instance(self):
        if "pk" not in self.kwargs:
            return None
        return (
            self.scoped_queryset()
            .select_related("assignee", "department")
            .filter(pk=self.kwargs["pk"])
            .first()
            or self._missing()
        )

    @staticmethod
    def _missing():
        raise Http404

    def record_of(self, task):
        if task is not None:
            about, visible = selectors.task_record(self.request.user, task)
            return about if visible else None
        value = self.request.POST.get("record") or self.request.GET.get("record")
        return parse_record(self.request.user, value) if value else None

    def initial(self, task):
        if task is None:
            return {"assignee": self.request.user.pk, "priority": 2}
        return {
            "title": task.title,
            "description": task.description,
            "assignee": task.assignee_id,
            "department": task.department_id,
            "due_at": task.due_at,
            "remind_at": task.remind_at,
            "priority": task.priority,
            "checklist": checklist_lines(task.checklist),
            "version": etag_for(task),
        }

    def context(self, form, task, record):
        return {
            "form": form,
            "task": task,
            "record": record,
            "record_value": self.request.POST.get("record") or self.request.GET.get("record", ""),
            "next": safe_next(self.request, ""),
        }

    def get(self, request, pk=None):
        task = self.get_instance()
        record = self.record_of(task)
        form = TaskForm(initial=self.initial(task), user=request.user, task=task, record=record)
        return self.render_to_response(self.context(form, task, record))

    def post(self, request, pk=None):
        task = self.get_instance()
        record = self.record_of(task)
        form = TaskForm(request.POST, user=request.user, task=task, record=record)
        if form.is_valid():
            try:
                if task is None:
                    task = services.task_create(actor=request.user, **form.service_kwargs())
                else:
                    task = services.task_update(
                        actor=request.user,
                        task=task,
                        if_match=form.cleaned_data.get("version") or None,
                        **form.service_kwargs(),
                    )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(safe_next(request, task.get_absolute_url()))
        return self.render_to_response(self.context(form, task, record), status=422)


class TaskDeleteView(WriterRequiredMixin, ScopedMixin, View):
    model = Task
    action = scoping.CHANGE

    def post(self, request, pk):
        task = self.get_scoped_object()
        services.task_delete(actor=request.user, task=task)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": task.title})
        return redirect(safe_next(request, reverse("activities:task_list")))


class TaskStatusView(WriterRequiredMixin, ScopedMixin, View):
    """Start, complete, cancel or reopen a task (a button on its page or in a list)."""

    model = Task
    action = scoping.CHANGE

    def post(self, request, pk):
        task = self.get_scoped_object()
        try:
            task = services.task_set_status(
                actor=request.user,
                task=task,
                status=request.POST.get("status", ""),
                if_match=request.POST.get("version") or None,
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(_messages_of(exc)))
        else:
            messages.success(
                request,
                _("“%(name)s” is now %(status)s.")
                % {"name": task.title, "status": task.get_status_display()},
            )
        return redirect(safe_next(request, task.get_absolute_url()))


def _messages_of(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc.message)]


class TaskTakeView(WriterRequiredMixin, ScopedMixin, View):
    """A member of the department takes a task from its queue."""

    model = Task
    action = scoping.CHANGE

    def post(self, request, pk):
        task = self.get_scoped_object()
        try:
            task = services.task_take(actor=request.user, task=task)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(safe_next(request, reverse("activities:task_queue")))
        messages.success(request, _("You took “%(name)s”.") % {"name": task.title})
        return redirect(task.get_absolute_url())


class TaskCheckView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """Tick or untick one checklist item; htmx gets the checklist back, a form post the page."""

    model = Task
    action = scoping.CHANGE
    template_name = "activities/task_checklist.html"

    def post(self, request, pk, index):
        task = self.get_scoped_object()
        task = services.task_check_item(
            actor=request.user, task=task, index=index, done=request.POST.get("done") == "on"
        )
        if not request.htmx:
            return redirect(task.get_absolute_url())
        return self.render_to_response({"task": task, "can_change": True})
