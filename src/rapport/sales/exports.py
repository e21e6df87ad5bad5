"""Background job of the sales app: the XLSX export of the deal list."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from rapport.core.jobs import job_attach_file, job_handler
from rapport.core.models import Job
from rapport.sales.services.deal_exports import JOB_KIND, XLSX, write_deals_xlsx


@job_handler(JOB_KIND)
def run_deal_export(job: Job) -> dict:
    """Written from scratch on every run (a re-queued job starts again): the file is attached
    only when it is complete, in its owner's language."""
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        name, content, rows = write_deals_xlsx(job)
        job_attach_file(job, role="output", name=name, content=content, content_type=XLSX)
    return {"rows": rows, "file": name}
