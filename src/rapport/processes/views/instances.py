"""Running processes: the dashboard, a process's page, starting one from a record's card,
skipping a stage, changing the schedule, cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.core import records, scoping
from rapport.core.errors import DomainError, NotFound
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.processes.choices import ProcessStatus, StageStatus
from rapport.processes.filtersets import ProcessFilterSet
from rapport.processes.forms import CancelForm, ProcessStartForm, SkipForm, StageScheduleForm
from rapport.processes.models import ProcessInstance, ProcessStage
from rapport.processes.selectors import (
    dashboard_queryset,
    dashboard_rows,
    process_history,
    processes_by_pk,
)
from rapport.processes.services.instances import (
    process_cancel,
    process_start,
    stage_skip,
    stage_update,
)


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def may_change(user, instance) -> bool:
    return ProcessInstance.objects.restrict(user, scoping.CHANGE).filter(pk=instance.pk).exists()


class DashboardView(FilteredListMixin, TemplateView):
    """Running processes the user sees (a controller's and a head's own, a director's all),
    the most overdue current stage first."""

    model = ProcessInstance
    filterset_class = ProcessFilterSet
    sort_fields = {"due": ("current_due",), "started": ("started_at",)}
    default_sort = "due"
    template_name = "processes/dashboard.html"

    def scoped_queryset(self, action=None):
        return dashboard_queryset(self.request.user)

    @cached_property
    def filterset(self):
        # Running processes unless another status (or "any": empty) is asked for.
        params = self.request.GET.copy()
        params.setdefault("status", ProcessStatus.RUNNING)
        filterset = ProcessFilterSet(params, queryset=self.scoped_queryset(), request=self.request)
        # Filters by id are for the API, not to be typed into the page's form.
        for name in ("company", "person", "record"):
            filterset.form.fields.pop(name, None)
        return filterset

    def sorted_queryset(self, qs, *, few=False):
        key = self.sort_key()
        name = self.sort_fields[key.lstrip("-")][0]
        order = (
            F(name).desc(nulls_last=True) if key.startswith("-") else F(name).asc(nulls_last=True)
        )
        return qs.order_by(order, "-id" if key.startswith("-") else "id")

    def get_context_data(self, **kwargs):
        page = self.page()
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "rows": dashboard_rows(page),
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
            "query_without_page": self.query_without("page"),
        }


class ProcessDetailView(ScopedMixin, TemplateView):
    model = ProcessInstance
    template_name = "processes/process_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        instance = processes_by_pk(user, self.kwargs["pk"])
        if instance is None:
            raise Http404
        can_change = scoping.may_write(user) and may_change(user, instance)
        return {
            **super().get_context_data(**kwargs),
            "process": instance,
            "can_change": can_change,
            "skip_form": SkipForm(),
            "cancel_form": CancelForm(),
            "changes": process_history(instance),
            "here": self.request.get_full_path(),
        }


class ProcessStartView(WriterRequiredMixin, LoginRequiredMixin, View):
    """Start a process on a record (POSTed from the record's card)."""

    def post(self, request, record_type, pk):
        label = record_type
        try:
            record = records.find_record(request.user, label, pk)
        except NotFound:
            raise Http404 from None
        back = next_url(request, getattr(record, "get_absolute_url", lambda: "/")())
        form = ProcessStartForm(request.POST, record_type=label)
        if not form.is_valid():
            messages.error(request, " ".join(m for e in form.errors.values() for m in e))
            return redirect(back)
        try:
            instance = process_start(
                actor=request.user,
                template=form.cleaned_data["template"],
                record=record,
                start_at=form.cleaned_data.get("start_at"),
            )
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, NotFound):
                raise Http404 from None
            messages.error(request, error_text(exc))
            return redirect(back)
        messages.success(
            request, _("The process “%(process)s” has started.") % {"process": instance.name}
        )
        return redirect(back)


class ProcessCancelView(WriterRequiredMixin, ScopedMixin, View):
    model = ProcessInstance
    action = scoping.CHANGE

    def post(self, request, pk):
        instance = self.get_scoped_object()
        form = CancelForm(request.POST)
        form.is_valid()
        try:
            process_cancel(
                actor=request.user, instance=instance, reason=form.cleaned_data.get("reason", "")
            )
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, NotFound):
                raise Http404 from None
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The process was cancelled."))
        return redirect(next_url(request, instance.get_absolute_url()))


class StageSkipView(WriterRequiredMixin, ScopedMixin, View):
    """Skip a stage: the reason is required (the service says so in the user's language)."""

    model = ProcessStage

    def post(self, request, pk):
        stage = self.get_scoped_object()
        form = SkipForm(request.POST)
        form.is_valid()
        try:
            stage_skip(actor=request.user, stage=stage, reason=form.cleaned_data.get("reason", ""))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, NotFound):
                raise Http404 from None
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, _("The stage “%(stage)s” was skipped.") % {"stage": stage.name}
            )
        return redirect(next_url(request, stage.instance.get_absolute_url()))


class StageUpdateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """A stage's planned dates and executor (the commissioning schedule), by the controller."""

    model = ProcessStage
    template_name = "processes/stage_form.html"

    def scoped_queryset(self, action=None):
        changeable = ProcessInstance.objects.restrict(self.request.user, scoping.CHANGE)
        return (
            ProcessStage.objects.restrict(self.request.user)
            .filter(instance__in=changeable)
            .select_related("instance", "executor_user", "executor_department")
        )

    def render_form(self, stage, form, status=200):
        context = self.get_context_data(
            stage=stage,
            process=stage.instance,
            form=form,
            finished=stage.is_finished or not stage.instance.is_running,
            back=next_url(self.request, stage.instance.get_absolute_url()),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        stage = self.get_scoped_object()
        form = StageScheduleForm(
            initial={
                "planned_start": stage.planned_start,
                "planned_end": stage.planned_end,
                "executor_user": stage.executor_user_id,
                "executor_department": stage.executor_department_id,
            },
            started=stage.status == StageStatus.ACTIVE,
        )
        return self.render_form(stage, form)

    def post(self, request, pk):
        stage = self.get_scoped_object()
        form = StageScheduleForm(
            request.POST,
            initial={"planned_start": stage.planned_start},
            started=stage.status == StageStatus.ACTIVE,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                stage_update(
                    actor=request.user,
                    stage=stage,
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    executor_user=data.get("executor_user"),
                    executor_department=data.get("executor_department"),
                )
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, NotFound):
                    raise Http404 from None
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("The schedule was saved."))
                return redirect(next_url(request, stage.instance.get_absolute_url()))
        return self.render_form(stage, form, status=422)
