"""Exporting the deal list to XLSX as a background job: the list's filters and sort, the rows its
owner may see, read a chunk at a time (no query per row) into a write-only workbook."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qs

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import User
from rapport.contacts.choices import Source
from rapport.contacts.fileformats import neutralize
from rapport.contacts.models import full_name
from rapport.core.errors import ValidationError
from rapport.core.filtering import asks_to_filter
from rapport.core.jobs import job_progress, job_start
from rapport.core.models import Job
from rapport.sales.choices import DealStatus
from rapport.sales.filtersets.deals import DealFilterSet
from rapport.sales.models import Deal
from rapport.sales.tables.deals import DEAL_SORTS

JOB_KIND = "sales.deals.export"  # ends in ".export": the jobs API offers its download
CHUNK = 500  # deals read per query (and progress reported per chunk)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_SORT = "-created_at"  # the deal list's

FIELDS = [
    "pk",
    "name",
    "pipeline__name",
    "stage__name",
    "stage__probability",
    "status",
    "company__name",
    "person__first_name",
    "person__middle_name",
    "person__last_name",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "source",
    "campaign",
    "lost_reason__name",
    "lost_note",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "team__name",
    "created_at",
    "stage_changed_at",
    "closed_at",
]


def _params(query: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(query or "").items()}


def _filterset(user, params: dict[str, str]) -> DealFilterSet:
    # Unbound when nothing is filtered, as on the list (see core.filtering.asks_to_filter).
    data = params if asks_to_filter(DealFilterSet, params) else None
    return DealFilterSet(data, queryset=Deal.objects.restrict(user))


def deal_export_start(*, actor, query: str = "") -> Job:
    """Queue an export of the deal list filtered and sorted by ``query`` (the list's own query
    string). Filters that do not validate are refused now, not turned into an empty file."""
    query = (query or "")[:2000]
    filterset = _filterset(actor, _params(query))
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(
            {name: list(errors) for name, errors in filterset.errors.items()}
            or _("Check the filters.")
        )
    return job_start(actor=actor, kind=JOB_KIND, params={"query": query})


def export_queryset(user, query: str) -> QuerySet:
    """The deals of the list ``query`` shows to ``user``, in its order."""
    params = _params(query)
    filterset = _filterset(user, params)
    if filterset.is_bound and not filterset.is_valid():
        return Deal.objects.none()
    key = params.get("sort", DEFAULT_SORT)
    if key.lstrip("-") not in DEAL_SORTS:
        key = DEFAULT_SORT
    prefix = "-" if key.startswith("-") else ""
    return filterset.qs.order_by(*(prefix + name for name in DEAL_SORTS[key.lstrip("-")]))


def headers() -> list[str]:
    return [
        _("ID"),
        _("Name"),
        _("Pipeline"),
        _("Stage"),
        _("Status"),
        _("Customer"),
        _("Contact person"),
        _("Amount"),
        _("Currency"),
        _("Probability, %"),
        _("Expected close"),
        _("Lead source"),
        _("Campaign"),
        _("Reason for losing"),
        _("Note on losing"),
        _("Owner"),
        _("Team"),
        _("Created"),
        _("In stage since"),
        _("Closed"),
    ]


def _local(moment):
    """Excel has no time zones: a moment as the site's wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _row(deal: dict, statuses: dict, sources: dict) -> list:
    text = [
        neutralize(deal["name"]),
        neutralize(deal["pipeline__name"]),
        neutralize(deal["stage__name"]),
        statuses.get(deal["status"], deal["status"]),
        neutralize(deal["company__name"] or ""),
        neutralize(
            full_name(
                deal["person__first_name"] or "",
                deal["person__middle_name"] or "",
                deal["person__last_name"] or "",
            )
        ),
    ]
    owner = (
        User.label_for(deal["owner__first_name"], deal["owner__last_name"], deal["owner__username"])
        if deal["owner__username"]
        else ""
    )
    probability = deal["probability"]
    return [
        deal["pk"],
        *text,
        deal["amount"],
        deal["currency"],
        probability if probability is not None else deal["stage__probability"],
        deal["expected_close_date"],
        sources.get(deal["source"], deal["source"]),
        neutralize(deal["campaign"]),
        neutralize(deal["lost_reason__name"] or ""),
        neutralize(deal["lost_note"]),
        neutralize(owner),
        neutralize(deal["team__name"] or ""),
        _local(deal["created_at"]),
        _local(deal["stage_changed_at"]),
        _local(deal["closed_at"]),
    ]


def export_rows(job: Job, ids: list[int]) -> Iterator[list]:
    """The rows of ``ids`` in their order, one query per chunk; progress after each chunk."""
    statuses = {value: str(label) for value, label in DealStatus.choices}
    sources = {value: str(label) for value, label in Source.choices}
    for begin in range(0, len(ids), CHUNK):
        chunk = ids[begin : begin + CHUNK]
        found = {d["pk"]: d for d in Deal.objects.filter(pk__in=chunk).values(*FIELDS)}
        for pk in chunk:
            if pk in found:  # deleted since the ids were read: left out
                yield _row(found[pk], statuses, sources)
        job_progress(job, done=begin + len(chunk), total=len(ids))


def write_deals_xlsx(job: Job) -> tuple[str, bytes, int]:
    """The workbook of the job's deal list: (file name, content, number of deals)."""
    from openpyxl import Workbook

    ids = list(export_queryset(job.owner, job.params.get("query", "")).values_list("pk", flat=True))
    job_progress(job, done=0, total=len(ids))
    title = str(_("Deals"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers())
    for row in export_rows(job, ids):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"deals-{stamp}.xlsx", buffer.getvalue(), len(ids)
