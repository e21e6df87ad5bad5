"""Administration screens: pipelines, their ordered stages, reasons for losing a deal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.core.errors import DomainError
from rapport.core.views import AdministratorRequiredMixin, domain_error_to_form
from rapport.sales.forms.pipelines import LostReasonForm, PipelineForm, StageForm
from rapport.sales.models import LostReason, Pipeline, Stage
from rapport.sales.services.pipelines import (
    lost_reason_delete,
    lost_reason_save,
    pipeline_delete,
    pipeline_save,
    stage_delete,
    stage_reorder,
    stage_save,
)


def _get(model, pk):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _deleted(request, service, **kwargs) -> bool:
    """Delete through ``service``; a refusal (still in use) becomes an error message."""
    try:
        service(actor=request.user, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, _("Deleted."))
    return True


class PipelineListView(AdministratorRequiredMixin, TemplateView):
    """All pipelines, and a form for a new one."""

    template_name = "sales/pipeline_list.html"

    def context(self, form):
        return {"form": form, "pipelines": Pipeline.objects.prefetch_related("stages")}

    def get(self, request):
        return self.render_to_response(self.context(PipelineForm()))

    def post(self, request):
        form = PipelineForm(request.POST, instance=Pipeline())
        if form.is_valid():
            try:
                pipeline = pipeline_save(actor=request.user, pipeline=form.save(commit=False))
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved. Now add its stages."))
                return redirect("sales:pipeline_update", pk=pipeline.pk)
        return self.render_to_response(self.context(form), status=422)


class PipelineUpdateView(AdministratorRequiredMixin, TemplateView):
    """One pipeline: its fields, its stages in order, and a form for a new stage."""

    template_name = "sales/pipeline_form.html"

    def context(self, pipeline, form, stage_form):
        return {
            "pipeline": pipeline,
            "form": form,
            "stage_form": stage_form,
            "stages": pipeline.stages.order_by("position", "pk"),
        }

    def get(self, request, pk):
        pipeline = _get(Pipeline, pk)
        next_position = pipeline.stages.count()
        return self.render_to_response(
            self.context(
                pipeline,
                PipelineForm(instance=pipeline),
                StageForm(initial={"position": next_position}, prefix="stage"),
            )
        )

    def post(self, request, pk):
        pipeline = _get(Pipeline, pk)
        form, stage_form = PipelineForm(instance=pipeline), StageForm(prefix="stage")
        try:
            if "delete" in request.POST:
                if _deleted(request, pipeline_delete, pipeline=pipeline):
                    return redirect("sales:pipeline_list")
                return self.render_to_response(self.context(pipeline, form, stage_form), status=422)
            if "add_stage" in request.POST:
                stage_form = StageForm(
                    request.POST, instance=Stage(pipeline=pipeline), prefix="stage"
                )
                if stage_form.is_valid():
                    stage_save(actor=request.user, stage=stage_form.save(commit=False))
                    messages.success(request, _("Stage added."))
                    return redirect("sales:pipeline_update", pk=pk)
            else:
                form = PipelineForm(request.POST, instance=_get(Pipeline, pk))
                if form.is_valid():
                    pipeline_save(actor=request.user, pipeline=form.save(commit=False))
                    messages.success(request, _("Saved."))
                    return redirect("sales:pipeline_update", pk=pk)
        except (ValidationError, DomainError) as exc:
            domain_error_to_form(stage_form if "add_stage" in request.POST else form, exc)
        return self.render_to_response(self.context(pipeline, form, stage_form), status=422)


class StageReorderView(AdministratorRequiredMixin, View):
    """The stages' new order (ids, first to last), from the drag-and-drop list or arrows."""

    def post(self, request, pk):
        pipeline = _get(Pipeline, pk)
        try:
            ids = [int(v) for v in request.POST.getlist("stage")]
            stage_reorder(actor=request.user, pipeline=pipeline, stage_ids=ids)
        except ValueError:
            messages.error(request, _("Give every stage of this pipeline exactly once."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The order of the stages is saved."))
        return redirect("sales:pipeline_update", pk=pk)


class StageUpdateView(AdministratorRequiredMixin, TemplateView):
    template_name = "sales/stage_form.html"

    def get(self, request, pk):
        stage = _get(Stage, pk)
        return self.render_to_response({"stage": stage, "form": StageForm(instance=stage)})

    def post(self, request, pk):
        stage = _get(Stage, pk)
        form = StageForm(request.POST, instance=_get(Stage, pk))
        try:
            if "delete" in request.POST:
                if _deleted(request, stage_delete, stage=stage):
                    return redirect("sales:pipeline_update", pk=stage.pipeline_id)
                return self.render_to_response({"stage": stage, "form": form}, status=422)
            if form.is_valid():
                stage_save(actor=request.user, stage=form.save(commit=False))
                messages.success(request, _("Saved."))
                return redirect("sales:pipeline_update", pk=stage.pipeline_id)
        except (ValidationError, DomainError) as exc:
            domain_error_to_form(form, exc)
        return self.render_to_response({"stage": stage, "form": form}, status=422)


class LostReasonsView(AdministratorRequiredMixin, TemplateView):
    """Reasons for losing a deal: the list, and a form for a new one or the one being edited."""

    template_name = "sales/pipeline_lost_reasons.html"

    def context(self, form):
        return {
            "form": form,
            "reasons": LostReason.objects.all(),
            "editing": self.kwargs.get("pk"),
        }

    def instance(self):
        pk = self.kwargs.get("pk")
        return LostReason() if pk is None else _get(LostReason, pk)

    def get(self, request, pk=None):
        return self.render_to_response(self.context(LostReasonForm(instance=self.instance())))

    def post(self, request, pk=None):
        form = LostReasonForm(request.POST, instance=self.instance())
        try:
            if pk is not None and "delete" in request.POST:
                if _deleted(request, lost_reason_delete, reason=self.instance()):
                    return redirect("sales:lost_reason_list")
                return self.render_to_response(self.context(form), status=422)
            if form.is_valid():
                lost_reason_save(actor=request.user, reason=form.save(commit=False))
                messages.success(request, _("Saved."))
                return redirect("sales:lost_reason_list")
        except (ValidationError, DomainError) as exc:
            domain_error_to_form(form, exc)
        return self.render_to_response(self.context(form), status=422)
