"""Administration pages of automation rules: the list, the editor, the run log, a dry run."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.automation import selectors
from rapport.automation.choices import RunStatus
from rapport.automation.forms import RuleEditor
from rapport.automation.models import Rule
from rapport.automation.services import rule_delete, rule_save
from rapport.automation.services.runs import conditions_hold
from rapport.core import records
from rapport.core.errors import DomainError, NotFound
from rapport.core.paging import BoundedPaginator, page_hint
from rapport.core.views import AdministratorRequiredMixin, domain_error_to_form


def _rule(pk) -> Rule:
    rule = Rule.objects.filter(pk=pk).select_related("author").first()
    if rule is None:
        raise Http404
    return rule


class RuleListView(AdministratorRequiredMixin, TemplateView):
    template_name = "automation/rule_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "rules": selectors.rules_for(self.request.user),
        }


class RuleFormView(AdministratorRequiredMixin, TemplateView):
    """New rule (no pk) or an existing one. A POST with ``_refresh`` (a choice changed, a row
    added or removed) only re-renders the editor; htmx swaps it in place."""

    template_name = "automation/rule_form.html"

    def rule(self) -> Rule:
        pk = self.kwargs.get("pk")
        return _rule(pk) if pk is not None else Rule()

    def render_editor(self, editor: RuleEditor, rule: Rule, status: int = 200):
        context = {**editor.context(), "rule": rule}
        if self.request.htmx:
            self.template_name = "automation/_rule_form.html"
        return self.render_to_response(context, status=status)

    def get(self, request, pk=None):
        rule = self.rule()
        return self.render_editor(RuleEditor(rule, url=request.path), rule)

    def post(self, request, pk=None):
        rule = self.rule()
        refresh = "_refresh" in request.POST or "_remove" in request.POST
        editor = RuleEditor(rule, request.POST, refresh=refresh, url=request.path)
        if refresh:
            return self.render_editor(editor, rule)
        if editor.is_valid():
            try:
                rule, warnings = rule_save(actor=request.user, rule=editor.apply())
            except ValidationError as exc:
                domain_error_to_form(editor.form, exc)
            else:
                messages.success(request, _("The rule “%(name)s” is saved.") % {"name": rule.name})
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("automation:rule_update", pk=rule.pk)
        # Nothing was saved: the page shows what was sent, with the reasons.
        return self.render_editor(editor, self.rule(), status=422)


class RuleDeleteView(AdministratorRequiredMixin, View):
    def post(self, request, pk):
        rule = _rule(pk)
        try:
            rule_delete(actor=request.user, rule=rule)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("automation:rule_update", pk=pk)
        messages.success(request, _("The rule “%(name)s” is deleted.") % {"name": rule.name})
        return redirect("automation:rule_list")


class RuleRunsView(AdministratorRequiredMixin, TemplateView):
    """A rule's run log, newest first, filtered by status."""

    template_name = "automation/rule_runs.html"

    def get_context_data(self, **kwargs):
        rule = _rule(self.kwargs["pk"])
        status = self.request.GET.get("status", "")
        if status not in RunStatus.values:
            status = ""
        number = self.request.GET.get("page")
        page = BoundedPaginator(
            selectors.runs_of(rule, status=status), 50, page_hint=page_hint(number)
        ).get_page(number)
        runs = list(page.object_list)
        links = selectors.record_links(runs)
        for run in runs:
            run.link = links.get(run.pk, "")
        return {
            **super().get_context_data(**kwargs),
            "rule": rule,
            "trigger_text": selectors.describe_trigger(rule),
            "page": page,
            "runs": runs,
            "status": status,
            "statuses": RunStatus.choices,
            "query_without_page": f"status={status}" if status else "",
        }


class RuleTryView(AdministratorRequiredMixin, View):
    """Check a rule's conditions on one record, without doing anything."""

    def post(self, request, pk):
        rule = _rule(pk)
        kind = rule.record_type
        try:
            record = records.find_record(
                request.user, kind.label if kind else "", request.POST.get("record")
            )
        except NotFound:
            messages.error(request, _("There is no such record: give the number (id) of one."))
            return redirect("automation:rule_update", pk=pk)
        if conditions_hold(rule, record):
            messages.info(
                request,
                _("The conditions hold for “%(record)s”: the rule's actions would run.")
                % {"record": record},
            )
        else:
            messages.info(
                request,
                _("The conditions do not hold for “%(record)s”: the rule would do nothing.")
                % {"record": record},
            )
        return redirect("automation:rule_update", pk=pk)
