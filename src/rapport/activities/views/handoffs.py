"""Hand-offs between departments: the "Hand-offs" page (incoming, sent by me, the department's),
handing a task over, a hand-off's page, acknowledging and returning, and the card section."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from rapport.activities.filtersets.handoffs import INCOMING, OPEN, OUTGOING, HandoffFilterSet
from rapport.activities.forms.handoffs import HandoffForm, ReturnForm
from rapport.activities.models import Handoff, Task
from rapport.activities.selectors import handoffs as selectors
from rapport.activities.services.handoffs import (
    handoff_acknowledge,
    handoff_return,
    handoff_send,
)
from rapport.core import scoping
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeRecord
from rapport.core.paging import BoundedPaginator, page_hint
from rapport.core.views import ScopedMixin, WriterRequiredMixin, domain_error_to_form

PAGE_SIZE = 50
TAB_LABELS = {
    "incoming": gettext_lazy("Incoming"),
    "sent": gettext_lazy("Sent by me"),
    "department": gettext_lazy("My department's"),
    "all": gettext_lazy("All"),
}


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def tabs_for(user) -> list[str]:
    tabs = []
    if user.department_id_for_scope:
        tabs.append("incoming")
    tabs.append("sent")
    if user.is_head_of_department and user.department_id_for_scope:
        tabs.append("department")
    if user.sees_everything:
        tabs.append("all")
    return tabs


class HandoffListView(ScopedMixin, TemplateView):
    """Tabs: incoming to my department (waiting first, overdue marked), sent by me (with where
    each stands), the department's for its head, everything for directors and administrators."""

    model = Handoff
    template_name = "activities/handoff_list.html"

    def tab(self, tabs) -> str:
        chosen = self.request.GET.get("tab", "")
        return chosen if chosen in tabs else tabs[0]

    def filterset(self, tab: str) -> HandoffFilterSet:
        user = self.request.user
        data = QueryDict(mutable=True)
        for name in ("status", "overdue"):
            if self.request.GET.get(name):
                data[name] = self.request.GET[name]
        # The open ones unless the user chose a status ("—" for any); the sender sees all.
        if tab != "sent" and "status" not in self.request.GET:
            data["status"] = OPEN
        if tab == "incoming":
            data["direction"] = INCOMING
        elif tab == "sent":
            data["direction"] = OUTGOING
        elif tab == "department":
            data["department"] = str(user.department_id_for_scope)
        return HandoffFilterSet(data, queryset=selectors.handoffs_for(user), request=self.request)

    def get_context_data(self, **kwargs):
        user = self.request.user
        tabs = tabs_for(user)
        tab = self.tab(tabs)
        filterset = self.filterset(tab)
        queryset = filterset.qs if filterset.is_valid() else Handoff.objects.none()
        number = self.request.GET.get("page")
        paginator = BoundedPaginator(
            selectors.waiting_first(queryset), PAGE_SIZE, page_hint=page_hint(number)
        )
        page = paginator.get_page(number)
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "tabs": [(name, TAB_LABELS[name]) for name in tabs],
            "tab": tab,
            "filter": filterset,
            "page": page,
            "rows": selectors.rows_for(user, page.object_list),
            "waiting": selectors.incoming_waiting_count(user),
            "query_without_page": query.urlencode(),
            "here": self.request.get_full_path(),
        }


class HandoffCreateView(WriterRequiredMixin, LoginRequiredMixin, TemplateView):
    """Hand the task ``?task=<id>`` (or the form's ``task``) to another department."""

    template_name = "activities/handoff_form.html"

    def task(self) -> Task:
        raw = self.request.POST.get("task") or self.request.GET.get("task") or ""
        task = None
        if raw.isdigit():
            task = (
                Task.objects.restrict(self.request.user, scoping.CHANGE)
                .select_related("department", "assignee")
                .filter(pk=raw)
                .first()
            )
        if task is None:
            raise Http404
        return task

    def context(self, task, form):
        open_handoff = (
            Handoff.objects.filter(task=task, status__in=("sent", "acknowledged"))
            .select_related("to_department")
            .first()
        )
        return {
            "task": task,
            "task_url": selectors.task_url(task),
            "form": form,
            "open_handoff": open_handoff,
            "next": safe_next(self.request, ""),
        }

    def get(self, request):
        task = self.task()
        return self.render_to_response(self.context(task, HandoffForm(user=request.user)))

    def post(self, request):
        task = self.task()
        form = HandoffForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                handoff = handoff_send(actor=request.user, task=task, **form.cleaned_data)
            except NotFound:
                raise Http404 from None
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Handed over to %(department)s. Its members have been told.")
                    % {"department": handoff.to_department},
                )
                return redirect(safe_next(request, handoff.get_absolute_url()))
        return self.render_to_response(self.context(task, form), status=422)


class HandoffDetailView(ScopedMixin, TemplateView):
    model = Handoff
    template_name = "activities/handoff_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        handoff = selectors.handoffs_for(user).filter(pk=self.kwargs["pk"]).first()
        if handoff is None:
            raise Http404
        history = ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(Handoff), object_id=handoff.pk
        ).select_related("actor", "content_type")
        return {
            **super().get_context_data(**kwargs),
            "row": selectors.rows_for(user, [handoff])[0],
            "handoff": handoff,
            "records": history.order_by("-created_at", "-pk")[:100],
            "return_form": ReturnForm(),
            "return_reason_label": Handoff._meta.get_field("return_reason").verbose_name,
            "here": self.request.get_full_path(),
        }


class HandoffAcknowledgeView(WriterRequiredMixin, ScopedMixin, View):
    model = Handoff
    action = scoping.CHANGE

    def post(self, request, pk):
        handoff = self.get_scoped_object()
        try:
            handoff = handoff_acknowledge(
                actor=request.user, handoff=handoff, take=bool(request.POST.get("take"))
            )
        except NotFound:  # not a member of the receiving department: not theirs to answer
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Acknowledged: %(task)s. %(user)s has been told.")
                % {"task": handoff.task, "user": handoff.from_user or _("The sender")},
            )
        return redirect(safe_next(request, reverse("activities:handoff_list")))


class HandoffReturnView(WriterRequiredMixin, ScopedMixin, TemplateView):
    model = Handoff
    action = scoping.CHANGE
    template_name = "activities/handoff_return.html"

    def handoff(self) -> Handoff:
        handoff = self.get_scoped_object()
        if not selectors.is_member(self.request.user, handoff.to_department_id):
            raise Http404
        return handoff

    def get(self, request, pk):
        handoff = self.handoff()
        return self.render_to_response({"handoff": handoff, "form": ReturnForm()})

    def post(self, request, pk):
        handoff = self.handoff()
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                handoff = handoff_return(
                    actor=request.user, handoff=handoff, reason=form.cleaned_data["reason"]
                )
            except NotFound:
                raise Http404 from None
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Returned: %(task)s. It is back with %(user)s.")
                    % {"task": handoff.task, "user": handoff.from_user or handoff.from_department},
                )
                return redirect(safe_next(request, reverse("activities:handoff_list")))
        return self.render_to_response({"handoff": handoff, "form": form}, status=422)


def handoffs_section(request, obj, *, can_change: bool) -> str:
    """The hand-offs of the tasks about ``obj`` on its card (a deal, a customer, an order, a
    lead, or a task's own page); nothing when there are none."""
    handoffs = list(selectors.handoffs_of_record(request.user, obj))
    if not handoffs:
        return ""
    return render_to_string(
        "activities/handoff_section.html",
        {
            "rows": selectors.rows_for(request.user, handoffs),
            "here": request.get_full_path(),
            "list_url": reverse("activities:handoff_list"),
        },
        request=request,
    )
