"""Background job of the sales app: the import of a file of leads."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation

from rapport.core.jobs import job_handler, job_progress
from rapport.core.models import Job, JobFile
from rapport.sales.services.distribution import notify_assignees
from rapport.sales.services.lead_imports import (
    JOB_KIND,
    lead_import_check,
    lead_import_chunk,
    rows_from_file,
)


@job_handler(JOB_KIND)
def run_lead_import(job: Job) -> dict:
    """All or nothing as far as the file is concerned: every row is checked before the first is
    written, and a file with any bad row writes nothing (the report lists each bad row). A good
    file is written chunk by chunk; each chunk and the progress that records it commit together,
    so the progress shows and a worker killed mid-run resumes after the last committed chunk
    without duplicates. The assignees get one e-mail for the whole file, after the last chunk."""
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        upload = JobFile.objects.get(job=job, role="input")
        rows = rows_from_file(bytes(upload.content), upload.name)
        campaign = job.params.get("campaign", "")
        job.refresh_from_db()
        start = job.progress_done
        report = job.result or {}
        if start == 0:  # nothing written yet (a resumed job passed the check before it wrote)
            errors = lead_import_check(rows, campaign)
            if errors:
                return {"created": 0, "ids": [], "error_count": len(errors), "errors": errors}
        chunk_size = settings.RAPPORT["IMPORT_CHUNK_SIZE"]
        for begin in range(start, len(rows), chunk_size):
            chunk = rows[begin : begin + chunk_size]
            with transaction.atomic():
                ids, errors = lead_import_chunk(actor=job.owner, rows=chunk, campaign=campaign)
                report["ids"] = report.get("ids", []) + ids
                report["created"] = len(report["ids"])
                report["errors"] = report.get("errors", []) + errors
                report["error_count"] = len(report["errors"])
                job.result = report
                job.save(update_fields=["result"])
                job_progress(job, done=begin + len(chunk), total=len(rows))
        if not report.get("notified"):
            # The e-mails and the mark that they went out commit together: a re-run after a
            # crash does not tell anyone twice.
            with transaction.atomic():
                notify_assignees(report.get("ids", []), actor_id=job.owner_id)
                report["notified"] = True
                job.result = report
                job.save(update_fields=["result"])
        report.setdefault("created", 0)
        report.setdefault("error_count", 0)
        return report
