"""Process templates: everyone reads them; administrators and heads of department keep them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.core.errors import DomainError
from rapport.core.views import RoleRequiredMixin, domain_error_to_form
from rapport.processes.choices import ProcessStatus
from rapport.processes.forms import StageTemplateForm, TemplateForm
from rapport.processes.models import ProcessStageTemplate, ProcessTemplate
from rapport.processes.services.templates import (
    may_manage_templates,
    stage_template_delete,
    stage_template_move,
    stage_template_save,
    template_create,
    template_delete,
    template_update,
)


def _stages():
    return Prefetch(
        "stages",
        queryset=ProcessStageTemplate.objects.select_related(
            "executor_user", "executor_department"
        ).order_by("position", "pk"),
    )


def _template(pk) -> ProcessTemplate:
    template = ProcessTemplate.objects.filter(pk=pk).prefetch_related(_stages()).first()
    if template is None:
        raise Http404
    return template


class ManagerRequiredMixin(RoleRequiredMixin):
    """Administrators and heads of department (404 for everyone else)."""

    def has_role(self, user) -> bool:
        return may_manage_templates(user)


class TemplateListView(LoginRequiredMixin, TemplateView):
    template_name = "processes/template_list.html"

    def get_context_data(self, **kwargs):
        templates = (
            ProcessTemplate.objects.restrict(self.request.user)
            .select_related("controller")
            .prefetch_related(_stages())
            .annotate(running=Count("instances", filter=Q(instances__status=ProcessStatus.RUNNING)))
        )
        return {
            **super().get_context_data(**kwargs),
            "templates": templates,
            "can_manage": may_manage_templates(self.request.user),
        }


class TemplateCreateView(ManagerRequiredMixin, TemplateView):
    template_name = "processes/template_form.html"

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=TemplateForm()))

    def post(self, request):
        form = TemplateForm(request.POST)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in TemplateForm.Meta.fields}
            try:
                template = template_create(actor=request.user, **fields)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved. Now add its stages."))
                return redirect(template.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=422)


class TemplateDetailView(LoginRequiredMixin, TemplateView):
    """A template with its stages; for those who keep templates, a form for a new stage."""

    template_name = "processes/template_detail.html"

    def context(self, template, stage_form):
        return self.get_context_data(
            template=template,
            stages=list(template.stages.all()),
            can_manage=may_manage_templates(self.request.user),
            stage_form=stage_form,
        )

    def get(self, request, pk):
        return self.render_to_response(
            self.context(_template(pk), StageTemplateForm(prefix="stage"))
        )


class TemplateUpdateView(ManagerRequiredMixin, TemplateView):
    template_name = "processes/template_form.html"

    def get(self, request, pk):
        template = _template(pk)
        return self.render_to_response(
            self.get_context_data(template=template, form=TemplateForm(instance=template))
        )

    def post(self, request, pk):
        template = _template(pk)
        if "delete" in request.POST:
            try:
                template_delete(actor=request.user, template=template)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return redirect("processes:template_update", pk=pk)
            messages.success(request, _("Deleted."))
            return redirect("processes:template_list")
        form = TemplateForm(request.POST, instance=_template(pk))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in TemplateForm.Meta.fields}
            try:
                template_update(actor=request.user, template=template, **fields)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(template.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(template=template, form=form), status=422
        )


def _stage_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in StageTemplateForm.Meta.fields}


class StageTemplateCreateView(ManagerRequiredMixin, TemplateView):
    template_name = "processes/stage_template_form.html"

    def get(self, request, pk):
        template = _template(pk)
        form = StageTemplateForm(prefix="stage")
        return self.render_to_response(self.get_context_data(template=template, form=form))

    def post(self, request, pk):
        template = _template(pk)
        form = StageTemplateForm(request.POST, prefix="stage")
        if form.is_valid():
            stage = ProcessStageTemplate(template=template, **_stage_fields(form))
            stage.position = None  # at the end
            try:
                stage_template_save(actor=request.user, stage=stage)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Stage added."))
                return redirect(template.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(template=template, form=form), status=422
        )


class StageTemplateUpdateView(ManagerRequiredMixin, TemplateView):
    template_name = "processes/stage_template_form.html"

    def _stage(self, pk) -> ProcessStageTemplate:
        stage = ProcessStageTemplate.objects.select_related("template").filter(pk=pk).first()
        if stage is None:
            raise Http404
        return stage

    def get(self, request, pk):
        stage = self._stage(pk)
        form = StageTemplateForm(instance=stage, prefix="stage")
        return self.render_to_response(
            self.get_context_data(template=stage.template, stage=stage, form=form)
        )

    def post(self, request, pk):
        stage = self._stage(pk)
        if "delete" in request.POST:
            stage_template_delete(actor=request.user, stage=stage)
            messages.success(request, _("Deleted."))
            return redirect(stage.template.get_absolute_url())
        form = StageTemplateForm(request.POST, instance=stage, prefix="stage")
        if form.is_valid():
            for key, value in _stage_fields(form).items():
                setattr(stage, key, value)
            try:
                stage_template_save(actor=request.user, stage=stage)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(stage.template.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(template=stage.template, stage=stage, form=form), status=422
        )


class StageTemplateMoveView(ManagerRequiredMixin, View):
    def post(self, request, pk):
        stage = ProcessStageTemplate.objects.select_related("template").filter(pk=pk).first()
        if stage is None:
            raise Http404
        stage_template_move(actor=request.user, stage=stage, up=request.POST.get("to") == "up")
        return redirect(stage.template.get_absolute_url())
