"""Starting imports and exports: one path for the screens and the API."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rapport.contacts import fileformats, importspec
from rapport.core.errors import ValidationError
from rapport.core.jobs import job_attach_file, job_queue, job_start
from rapport.core.models import Job
from rapport.core.services import require_writer

EXPORT_FORMATS = ("csv", "xlsx", "vcf")


def import_start(
    *,
    actor,
    file_name: str,
    content: bytes,
    content_type: str,
    target: str,
    encoding: str = "auto",
    mapping: dict | None = None,
    on_duplicate: str = "skip",
    start: bool = False,
) -> Job:
    """Read and check the file, then create its import job: a draft waiting for the user's column
    mapping, or (``start``) queued at once. A file that cannot be read raises ValidationError on
    "file" with the reason; nothing is stored then."""
    require_writer(actor)
    is_vcard = file_name.lower().endswith((".vcf", ".vcard")) or b"BEGIN:VCARD" in (
        content[:2000].upper()
    )
    try:
        if is_vcard:
            headers, body = fileformats.read_vcards(content, encoding)
        else:
            headers, body = fileformats.read_table(content, file_name, encoding)
    except fileformats.FileFormatError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not body:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    target = "person" if is_vcard else target
    if is_vcard:
        mapping = {str(i): h for i, h in enumerate(headers)}
    elif not isinstance(mapping, dict):
        mapping = importspec.guess_mapping(target, headers)
    keys = {f.key for f in importspec.fields_for(target)}
    params = {
        "target": target,
        "encoding": encoding,
        "file_name": file_name[:200],
        "format": "vcard" if is_vcard else "table",
        "mapping": {str(k): v for k, v in mapping.items() if v in keys},
        "on_duplicate": on_duplicate if on_duplicate in ("skip", "create") else "skip",
    }
    with transaction.atomic():
        job = job_start(
            actor=actor, kind="contacts.import", params=params, total=len(body), draft=True
        )
        job_attach_file(
            job,
            role="input",
            name=file_name,
            content=content,
            content_type=content_type or "application/octet-stream",
        )
        if start:
            job = job_queue(actor=actor, job=job, params=params)
    return job


def export_start(*, actor, noun: str, fmt: str, query: str = "", vcard_version: str = "3.0") -> Job:
    """Queue an export of the list ``noun`` filtered by ``query`` (the list's own query string)."""
    if noun not in ("company", "person") or fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": _("Choose CSV, Excel or vCard.")})
    if fmt == "vcf" and noun != "person":
        raise ValidationError({"format": _("vCard export is for people.")})
    return job_start(
        actor=actor,
        kind="contacts.export",
        params={
            "noun": noun,
            "format": fmt,
            "query": (query or "")[:2000],
            "vcard_version": "4.0" if vcard_version == "4.0" else "3.0",
        },
    )
