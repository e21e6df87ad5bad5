"""Background jobs of the customer base: imports (resumable per chunk) and exports."""

from __future__ import annotations

from urllib.parse import parse_qs

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rapport.contacts import fileformats
from rapport.contacts.filtersets import CompanyFilterSet, PersonFilterSet
from rapport.contacts.models import Company, CompanyAddress, Employment, Person
from rapport.contacts.services.imports import import_companies_chunk, import_people_chunk
from rapport.core.custom_fields import definitions_for
from rapport.core.jobs import job_attach_file, job_handler, job_progress
from rapport.core.models import Job, JobFile, Tag

MAX_REPORTED = 5000


def read_input(job: Job) -> tuple[list[str], list[list[str]]]:
    upload = JobFile.objects.get(job=job, role="input")
    content = bytes(upload.content)
    if job.params.get("format") == "vcard":
        return fileformats.read_vcards(content, job.params.get("encoding", "auto"))
    return fileformats.read_table(content, upload.name, job.params.get("encoding", "auto"))


def rows_with_mapping(headers, body, mapping: dict[str, str]):
    for offset, values in enumerate(body):
        row = {}
        for index, key in mapping.items():
            i = int(index)
            if key and i < len(values):
                row[key] = values[i]
        yield offset + 2, row  # row numbers as a spreadsheet shows them (header is row 1)


@job_handler("contacts.import")
def run_import(job: Job) -> dict:
    """Import rows chunk by chunk; each chunk and the progress that records it commit together,
    so a worker killed mid-run resumes after the last committed chunk without duplicates."""
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        headers, body = read_input(job)
        mapping = job.params["mapping"]
        target = job.params["target"]
        on_duplicate = job.params.get("on_duplicate", "skip")
        source_name = job.params.get("file_name", "")
        chunk_size = settings.RAPPORT["IMPORT_CHUNK_SIZE"]
        importer = import_companies_chunk if target == "company" else import_people_chunk
        rows = list(rows_with_mapping(headers, body, mapping))
        job.refresh_from_db()
        start = job.progress_done
        report = job.result or {}
        for begin in range(start, len(rows), chunk_size):
            chunk = rows[begin : begin + chunk_size]
            with transaction.atomic():
                outcome = importer(
                    actor=job.owner, rows=chunk, on_duplicate=on_duplicate, source_name=source_name
                )
                report["created"] = report.get("created", 0) + outcome.created
                report["skipped"] = report.get("skipped", 0) + outcome.skipped
                report["rejected_count"] = report.get("rejected_count", 0) + len(outcome.rejected)
                report["rejected"] = (report.get("rejected", []) + outcome.rejected)[:MAX_REPORTED]
                report["duplicates"] = (report.get("duplicates", []) + outcome.duplicates)[
                    :MAX_REPORTED
                ]
                job.result = report
                job.save(update_fields=["result"])
                job_progress(job, done=begin + len(chunk), total=len(rows))
        return report


def _company_rows(qs, definitions):
    for company in qs:
        address = next(iter(company.addresses.all()), None)
        yield [
            company.pk,
            company.name,
            company.get_kind_display(),
            company.legal_name,
            company.tax_number,
            company.registry_number,
            company.get_industry_display(),
            company.website,
            company.phone,
            company.email,
            address.city if address else "",
            address.street if address else "",
            str(company.curator or ""),
            company.get_source_display(),
            company.source_detail,
            company.verified_at.date().isoformat() if company.verified_at else "",
            ", ".join(t.name for t in company.tags.all()),
            *[(company.custom or {}).get(d.key, "") for d in definitions],
        ]


def _person_rows(qs, definitions):
    for person in qs:
        employment = next(iter(person.primary_employments), None)
        yield [
            person.pk,
            person.first_name,
            person.middle_name,
            person.last_name,
            person.position,
            employment.company.name if employment else "",
            "\n".join(e.email for e in person.emails.all()),
            "\n".join(p.number for p in person.phones.all()),
            person.birthday.isoformat() if person.birthday else "",
            person.preferred_language,
            str(person.curator or ""),
            person.get_source_display(),
            person.source_detail,
            person.verified_at.date().isoformat() if person.verified_at else "",
            ", ".join(t.name for t in person.tags.all()),
            *[(person.custom or {}).get(d.key, "") for d in definitions],
        ]


def export_queryset(noun: str, user, query: str):
    params = {k: v[-1] for k, v in parse_qs(query or "").items()}
    if noun == "company":
        fs = CompanyFilterSet(params, queryset=Company.objects.restrict(user))
        qs = fs.qs if fs.is_valid() else Company.objects.none()
        return qs.select_related("curator").prefetch_related(
            Prefetch("addresses", queryset=CompanyAddress.objects.order_by("pk")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
        )
    fs = PersonFilterSet(params, queryset=Person.objects.restrict(user))
    qs = fs.qs if fs.is_valid() else Person.objects.none()
    return qs.select_related("curator").prefetch_related(
        "emails",
        "phones",
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch(
            "employments",
            queryset=Employment.objects.filter(is_primary=True).select_related("company"),
            to_attr="primary_employments",
        ),
    )


def _headers(noun: str, definitions) -> list[str]:
    if noun == "company":
        base = [
            _("ID"),
            pgettext("company", "Name"),
            _("Type"),
            _("Legal name"),
            _("Tax number"),
            _("Registry number"),
            _("Industry"),
            _("Website"),
            _("Phone"),
            _("E-mail"),
            _("City"),
            _("Street and house"),
            _("Curator"),
            _("Source"),
            _("Source details"),
            _("Last verified"),
            _("Tags"),
        ]
    else:
        base = [
            _("ID"),
            _("First name"),
            _("Middle name / patronymic"),
            _("Last name"),
            _("Position"),
            _("Company"),
            _("E-mail"),
            _("Phone"),
            _("Birthday"),
            _("Language"),
            _("Curator"),
            _("Source"),
            _("Source details"),
            _("Last verified"),
            _("Tags"),
        ]
    return base + [d.label for d in definitions]


def _batched(qs, job: Job, total: int, size: int = 2000):
    """Iterate the export by primary-key ranges, reporting progress (and renewing the lease)."""
    last_pk, done = 0, 0
    base = qs.order_by("pk")
    while True:
        batch = list(base.filter(pk__gt=last_pk)[:size])
        if not batch:
            return
        yield from batch
        last_pk = batch[-1].pk
        done += len(batch)
        job_progress(job, done=done, total=total)


@job_handler("contacts.export")
def run_export(job: Job) -> dict:
    noun, fmt = job.params["noun"], job.params["format"]
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        qs = export_queryset(noun, job.owner, job.params.get("query", ""))
        total = qs.count()
        job_progress(job, done=0, total=total)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{'companies' if noun == 'company' else 'people'}-{stamp}"
        rows_iter = _batched(qs, job, total)
        if fmt == "vcf":
            content = fileformats.write_vcards(rows_iter, job.params.get("vcard_version", "3.0"))
            data, ctype, ext = content.encode("utf-8"), "text/vcard; charset=utf-8", "vcf"
        else:
            definitions = definitions_for(f"contacts.{noun}")
            maker = _company_rows if noun == "company" else _person_rows
            header = _headers(noun, definitions)
            if fmt == "xlsx":
                data = fileformats.write_xlsx(header, maker(rows_iter, definitions), name)
                ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ext = "xlsx"
            else:
                data = fileformats.write_csv(header, maker(rows_iter, definitions))
                ctype, ext = "text/csv; charset=utf-8", "csv"
        job_attach_file(job, role="output", name=f"{name}.{ext}", content=data, content_type=ctype)
        return {"rows": total, "file": f"{name}.{ext}"}
