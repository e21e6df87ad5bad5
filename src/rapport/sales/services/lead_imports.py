"""Importing a file of leads as a background job: the upload is checked at once, the rows later."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from rapport.contacts import fileformats
from rapport.contacts.choices import Source
from rapport.core.errors import DomainError, ValidationError
from rapport.core.jobs import job_attach_file, job_start
from rapport.core.models import Job
from rapport.core.services import require_writer
from rapport.sales.services.leads import (
    EDITABLE,
    IMPORT_MAX_ROWS,
    _describe_row_error,
    lead_create,
    lead_validate,
)

JOB_KIND = "sales.lead_import"

# Column names of the first row, as people write them -> lead field.
COLUMN_ALIASES = {
    "company": "company_name",
    "company_name": "company_name",
    "organisation": "company_name",
    "organization": "company_name",
    "first_name": "first_name",
    "firstname": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "name": "last_name",
    "position": "position",
    "title": "position",
    "email": "email",
    "e-mail": "email",
    "phone": "phone",
    "telephone": "phone",
    "website": "website",
    "industry": "industry",
    "source": "source",
    "source_detail": "source_detail",
    "campaign": "campaign",
    "message": "message",
    "comment": "message",
    "language": "language",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_term": "utm_term",
    "utm_content": "utm_content",
}


def rows_from_file(content: bytes, filename: str) -> list[tuple[int, dict]]:
    """The file's non-empty rows as (row number as a spreadsheet shows it, {lead field: text});
    unknown columns are ignored. Raises FileFormatError for a file that is not a table of leads."""
    headers, body = fileformats.read_table(content, filename)
    names = [COLUMN_ALIASES.get(h.strip().lower().replace(" ", "_"), "") for h in (headers or [])]
    if not any(names):
        raise fileformats.FileFormatError(
            _("No known column in the first row (e.g. last_name, company, email, phone).")
        )
    rows = []
    for offset, cells in enumerate(body):
        row = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names) if name}
        if any(v.strip() for v in row.values()):
            rows.append((offset + 2, row))  # the header is row 1
    return rows


def import_values(row: dict, campaign: str = "") -> dict:
    """The fields ``lead_create`` gets for one row of the file."""
    values = {k: v for k, v in row.items() if k in EDITABLE and v not in (None, "")}
    values.setdefault("source", Source.IMPORT)
    if campaign and not values.get("campaign"):
        values["campaign"] = campaign
    return values


def lead_import_start(
    *, actor, file_name: str, content: bytes, content_type: str = "", campaign: str = ""
) -> Job:
    """Check the file (size, type, known columns, number of rows) and queue its import job.

    A file that cannot be imported raises ValidationError on "file" with the reason; nothing is
    stored then. The rows themselves are checked by the job (``run_lead_import``)."""
    require_writer(actor)
    campaign = (campaign or "").strip()
    if len(content) > settings.RAPPORT["MAX_UPLOAD_BYTES"]:
        raise ValidationError({"file": _("The file is too large.")})
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(campaign) > 100:
        raise ValidationError({"campaign": _("Give a campaign name of at most 100 characters.")})
    try:
        rows = rows_from_file(content, file_name)
    except fileformats.FileFormatError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not rows:
        raise ValidationError({"file": _("The file holds no leads.")})
    if len(rows) > IMPORT_MAX_ROWS:
        raise ValidationError(
            {
                "file": _("A file may hold at most %(count)d leads; split it.")
                % {"count": IMPORT_MAX_ROWS}
            }
        )
    params = {"file_name": file_name[:200], "campaign": campaign}
    with transaction.atomic():
        job = job_start(actor=actor, kind=JOB_KIND, params=params, total=len(rows))
        job_attach_file(
            job,
            role="input",
            name=file_name,
            content=content,
            content_type=content_type or "application/octet-stream",
        )
    return job


def lead_import_check(rows: list[tuple[int, dict]], campaign: str = "") -> list[str]:
    """Every row's problems ("Row 3: E-mail: …") without writing anything."""
    errors = []
    for number, row in rows:
        try:
            lead_validate(**import_values(row, campaign))
        except (ValidationError, DomainError) as exc:
            errors.append(_describe_row_error(number, exc))
    return errors


def lead_import_chunk(
    *, actor, rows: list[tuple[int, dict]], campaign: str = ""
) -> tuple[list[int], list[str]]:
    """Create the leads of checked rows in the caller's transaction: (ids created, row errors).

    The rows passed ``lead_import_check`` already, so an error here means the base changed in
    between; that row alone is left out. The assignees are told once for the whole file by the
    caller, so each lead is created without its own e-mail."""
    created, errors = [], []
    for number, row in rows:
        try:
            with transaction.atomic():
                lead = lead_create(actor=actor, notify=False, **import_values(row, campaign))
        except (ValidationError, DomainError) as exc:
            errors.append(_describe_row_error(number, exc))
        else:
            created.append(lead.pk)
    return created, errors
