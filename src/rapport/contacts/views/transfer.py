"""Import, export and vCard screens; the work itself runs as background jobs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from rapport.contacts import fileformats, importspec
from rapport.contacts.imports import read_input, rows_with_mapping
from rapport.contacts.models import Employment, Person
from rapport.contacts.services.imports import import_companies_chunk, import_people_chunk
from rapport.contacts.services.transfer import export_start, import_start
from rapport.core import scoping
from rapport.core.errors import ValidationError
from rapport.core.jobs import job_queue
from rapport.core.models import Job, JobFile, JobStatus
from rapport.core.views import (
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
    job_file_response,
)

PREVIEW_ROWS = 10


class ImportUploadForm(forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("What the file contains"),
        choices=[("company", gettext_lazy("companies")), ("person", gettext_lazy("people"))],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, Excel (.xlsx) or vCard (.vcf)."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV or vCard file"),
        choices=[(k, gettext_lazy(v)) for k, v in fileformats.ENCODINGS],
        initial="auto",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.RAPPORT["MAX_UPLOAD_BYTES"]:
            raise forms.ValidationError(_("The file is too large."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class ImportUploadView(WriterRequiredMixin, ScopedMixin, TemplateView):
    template_name = "contacts/import_upload.html"
    model = Job

    def get(self, request):
        initial = {"target": request.GET.get("target", "company")}
        return self.render_to_response({"form": ImportUploadForm(initial=initial)})

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_start(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    content_type=upload.content_type,
                    target=form.cleaned_data["target"],
                    encoding=form.cleaned_data["encoding"],
                )
            except ValidationError as exc:
                domain_error_to_form(form, exc)
            else:
                return redirect("contacts:job_detail", pk=job.pk)
        return self.render_to_response({"form": form}, status=422)


class JobView(ScopedMixin, TemplateView):
    """Mapping and preview of a draft import; progress and report of any job."""

    model = Job

    def scoped_queryset(self, action=None):
        # The imports and exports of the customer base; other apps show their own jobs.
        return super().scoped_queryset(action).filter(kind__startswith="contacts.")

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("part") == "progress":
            return ["contacts/job_progress.html"]
        return ["contacts/job_detail.html"]

    def mapping_from(self, job, data) -> dict[str, str]:
        headers, _body = read_input(job)
        keys = {f.key for f in importspec.fields_for(job.params["target"])}
        mapping = {}
        for index in range(len(headers)):
            key = data.get(f"col_{index}", "")
            if key in keys and key not in mapping.values():
                mapping[str(index)] = key
        return mapping

    def preview(self, job) -> dict:
        """Validate the first rows with the real importer inside a rolled-back transaction."""
        from django.db import transaction

        headers, body = read_input(job)
        rows = list(rows_with_mapping(headers, body[:PREVIEW_ROWS], job.params["mapping"]))
        importer = (
            import_companies_chunk if job.params["target"] == "company" else import_people_chunk
        )

        class Rollback(Exception):
            pass

        outcome = None
        try:
            with transaction.atomic():
                outcome = importer(
                    actor=self.request.user,
                    rows=rows,
                    on_duplicate=job.params.get("on_duplicate", "skip"),
                    source_name=job.params.get("file_name", ""),
                )
                raise Rollback
        except Rollback:
            pass
        rejected = {r["row"]: r["errors"] for r in outcome.rejected}
        duplicates = {d["row"]: d for d in outcome.duplicates}
        return {
            "headers": headers,
            "rows": [
                {
                    "number": n,
                    "values": body[n - 2],
                    "errors": rejected.get(n, []),
                    "duplicate": duplicates.get(n),
                }
                for n, _row in rows
            ],
        }

    def get_context_data(self, **kwargs):
        job = self.get_scoped_object()
        context = {**super().get_context_data(**kwargs), "job": job}
        if job.kind == "contacts.import" and job.status == JobStatus.DRAFT:
            context["fields"] = importspec.fields_for(job.params["target"])
            context["preview"] = self.preview(job)
            context["mapping"] = job.params.get("mapping", {})
        context["has_output"] = JobFile.objects.filter(job=job, role="output").exists()
        return context

    def post(self, request, pk):
        job = self.get_scoped_object(action=scoping.CHANGE)
        if job.kind != "contacts.import" or job.status != JobStatus.DRAFT:
            raise Http404
        params = dict(job.params)
        params["mapping"] = self.mapping_from(job, request.POST)
        on_duplicate = request.POST.get("on_duplicate", "skip")
        params["on_duplicate"] = on_duplicate if on_duplicate in ("skip", "create") else "skip"
        required = {"company": {"name"}, "person": {"last_name", "full_name"}}[params["target"]]
        if not required & set(params["mapping"].values()):
            job.params = params
            job.save(update_fields=["params"])
            messages.error(request, _("Choose which column holds the name."))
            return redirect("contacts:job_detail", pk=job.pk)
        if request.POST.get("start"):
            job_queue(actor=request.user, job=job, params=params)
            messages.success(request, _("The import has started."))
        else:
            job.params = params
            job.save(update_fields=["params"])
        return redirect("contacts:job_detail", pk=job.pk)


class ExportStartView(ScopedMixin, View):
    noun = "company"
    model = Job

    def post(self, request):
        try:
            job = export_start(
                actor=request.user,
                noun=self.noun,
                fmt=request.POST.get("format", "csv"),
                query=request.POST.get("query", ""),
                vcard_version=request.POST.get("vcard_version", "3.0"),
            )
        except ValidationError:
            raise Http404 from None
        return redirect("contacts:job_detail", pk=job.pk)


class JobDownloadView(ScopedMixin, View):
    model = Job

    def get(self, request, pk):
        return job_file_response(self.get_scoped_object())


class PersonVCardView(ScopedMixin, View):
    model = Person

    def get(self, request, pk):
        from django.db.models import Prefetch

        person = self.get_scoped_object()
        person = (
            Person.objects.filter(pk=person.pk)
            .prefetch_related(
                "emails",
                "phones",
                Prefetch(
                    "employments",
                    queryset=Employment.objects.filter(is_primary=True).select_related("company"),
                    to_attr="primary_employments",
                ),
            )
            .get()
        )
        version = "4.0" if request.GET.get("version") == "4.0" else "3.0"
        response = HttpResponse(
            fileformats.write_vcards([person], version), content_type="text/vcard; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.vcf"'
        return response
