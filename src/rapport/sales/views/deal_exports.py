"""The deal list's export: started from the list, followed (and downloaded) on the job's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from rapport.core.models import Job, JobFile
from rapport.core.views import ScopedMixin
from rapport.sales.services.deal_exports import JOB_KIND, deal_export_start


class DealExportView(ScopedMixin, View):
    """Export what the list shows (its query string: filters and sort). Exporting is reading:
    every signed-in user may export the deals they see."""

    model = Job

    def post(self, request):
        query = request.POST.get("query", "")
        try:
            job = deal_export_start(actor=request.user, query=query)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("sales:deal_list") + (f"?{query}" if query else ""))
        return redirect("sales:deal_export_job", pk=job.pk)


class DealExportJobView(ScopedMixin, TemplateView):
    """Progress of a deal export and, when it is done, its file (the job's owner, and whoever
    sees their jobs)."""

    model = Job

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).filter(kind=JOB_KIND)

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("part") == "progress":
            return ["sales/deal_export_progress.html"]
        return ["sales/deal_export_job.html"]

    def get_context_data(self, **kwargs):
        job = self.get_scoped_object()
        return {
            **super().get_context_data(**kwargs),
            "job": job,
            "has_output": JobFile.objects.filter(job=job, role="output").exists(),
        }
