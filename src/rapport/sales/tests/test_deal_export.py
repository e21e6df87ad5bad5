"""The deal list's XLSX export: the list's filters and order, only what its author may see,
written by the real background worker, downloaded from the job's page."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rapport.contacts.choices import Source
from rapport.core.models import Job, JobFile
from rapport.sales.models import Deal
from rapport.sales.services.deal_exports import JOB_KIND, deal_export_start, write_deals_xlsx
from rapport.sales.services.deals import deal_move
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage


@pytest.fixture
def worker(transactional_db, run_tasks):
    """The real task worker (it ends the test's transaction on PostgreSQL: these tests commit)."""
    return run_tasks


@pytest.fixture
def deals(world):
    """Open, won and lost deals of the rep, their teammate and an outsider, in two pipelines."""
    admin = world.user("admin")
    main = make_pipeline(admin)
    other = make_pipeline(admin, name="Renewals")
    reason = make_reason(admin)
    made = []
    for key, role in (("own", "rep"), ("team", "teammate"), ("foreign", "outsider")):
        user, company = world.user(role), world.companies[key]
        for i, amount in enumerate(("1200", "50", "990.5", "7000")):
            made.append(
                make_deal(
                    user,
                    main if i < 3 else other,
                    company,
                    name=f"{key} deal {i}",
                    amount=amount,
                    expected_close_date=datetime.date(2026, 3, 1 + i),
                    campaign="spring",
                )
            )
        deal_move(actor=user, deal=made[-3], stage=stage(main, "Won"))
        deal_move(actor=user, deal=made[-2], stage=stage(main, "Lost"), lost_reason=reason)
    return {"main": main, "other": other}


def _sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    width = len(rows[0])  # a row's empty cells at its end are not stored
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]


def _export(client, worker, query: str) -> tuple[Job, list[tuple]]:
    response = client.post(reverse("sales:deal_export"), {"query": query})
    job = Job.objects.get(kind=JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_export_job", args=[job.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert 'id="job-progress"' in waiting and 'hx-trigger="every 1s"' in waiting
    worker()
    job.refresh_from_db()
    assert job.status == "done", job.error
    page = client.get(reverse("sales:deal_export_job", args=[job.pk])).content.decode()
    download = reverse("contacts:job_download", args=[job.pk])
    assert f'href="{download}"' in page and 'hx-trigger="every 1s"' not in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return job, _sheet_rows(response.content)


def test_the_file_holds_the_filtered_deals_the_user_may_see_in_the_lists_order(
    client, world, deals, worker
):
    client.force_login(world.user("rep"))
    query = f"pipeline={deals['main'].pk}&campaign=spring&sort=-amount"
    listed = client.get(reverse("sales:deal_list") + "?" + query).content.decode()
    assert 'id="deal-export"' in listed
    assert f'name="query" value="{query.replace("&", "&amp;")}"' in listed

    job, rows = _export(client, worker, query)

    expected = list(
        Deal.objects.restrict(world.user("rep"))
        .filter(pipeline=deals["main"], campaign="spring")
        .order_by("-amount", "-id")
        .values_list("pk", "name", "amount")
    )
    assert rows[0][:5] == ("ID", "Name", "Pipeline", "Stage", "Status")
    assert [(r[0], r[1], Decimal(str(r[7]))) for r in rows[1:]] == expected
    assert len(expected) == 6  # own and team, three each; the outsider's are left out
    assert not [r for r in rows[1:] if r[1].startswith("foreign")]
    assert job.result == {"rows": 6, "file": job.result["file"]}
    assert job.progress_done == job.progress_total == 6

    by_name = {r[1]: r for r in rows[1:]}
    won, lost = by_name["own deal 1"], by_name["own deal 2"]
    assert won[3:5] == ("Won", "won") and won[9] == 100 and won[19] is not None
    assert lost[4] == "lost" and lost[13] == "Price too high"
    opened = by_name["own deal 0"]
    assert opened[5] == "Own Customer SIA" and opened[15] == "Rep Tester" and opened[16] == "Team A"
    assert opened[10] == datetime.datetime(2026, 3, 1)
    assert opened[11] == str(Source.MANUAL.label)
    assert opened[19] is None  # not closed


def test_without_filters_the_whole_scope_is_exported(client, world, deals, worker):
    client.force_login(world.user("outsider"))
    _job, rows = _export(client, worker, "")
    names = [r[1] for r in rows[1:]]
    # The list's default order: newest first.
    assert names == [f"foreign deal {i}" for i in (3, 2, 1, 0)]


def test_formulas_in_names_are_written_as_text(client, world, deals, worker):
    make_deal(
        world.user("rep"),
        deals["main"],
        world.companies["own"],
        name='=HYPERLINK("http://evil.example","x")',
    )
    client.force_login(world.user("rep"))
    _job, rows = _export(client, worker, "q=HYPERLINK")
    assert [r[1] for r in rows[1:]] == ['\'=HYPERLINK("http://evil.example","x")']


def test_the_export_and_its_file_belong_to_their_author(client, world, deals, worker):
    client.force_login(world.user("rep"))
    job, _rows = _export(client, worker, "")
    client.force_login(world.user("outsider"))
    assert client.get(reverse("sales:deal_export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("contacts:job_download", args=[job.pk])).status_code == 404


def test_filters_that_do_not_validate_start_no_job(client, world, deals):
    client.force_login(world.user("rep"))
    response = client.post(
        reverse("sales:deal_export"), {"query": "owner=999999&status=open"}, follow=True
    )
    assert (
        response.redirect_chain[-1][0] == reverse("sales:deal_list") + "?owner=999999&status=open"
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()
    with pytest.raises(Exception, match="close_after"):
        deal_export_start(actor=world.user("rep"), query="close_after=someday")
    assert not Job.objects.exists()


def test_the_export_reads_a_chunk_of_deals_per_query_not_a_row(world, deals, settings):
    from rapport.sales.services import deal_exports

    rep = world.user("rep")

    def queries_for_export() -> int:
        job = deal_export_start(actor=rep, query="")
        with CaptureQueriesContext(connection) as captured:
            _name, _content, count = write_deals_xlsx(job)
        assert count == Deal.objects.restrict(rep).count()
        return len(captured)

    few = queries_for_export()
    for i in range(20):
        make_deal(rep, deals["main"], world.companies["own"], name=f"More {i}")
    assert queries_for_export() == few
    # Past a chunk, one more read and one more progress report per chunk.
    deal_exports.CHUNK, saved = 5, deal_exports.CHUNK
    try:
        chunks = -(-Deal.objects.restrict(rep).count() // 5)
        assert queries_for_export() == few + 2 * (chunks - 1)
    finally:
        deal_exports.CHUNK = saved


def test_the_file_is_attached_to_the_job(world, deals):
    job = deal_export_start(actor=world.user("teammate"), query="status=won")
    from rapport.sales.exports import run_deal_export

    result = run_deal_export(job)
    output = JobFile.objects.get(job=job, role="output")
    rows = _sheet_rows(bytes(output.content))
    assert result["rows"] == len(rows) - 1 == 2  # the rep's and the teammate's won deal
    assert output.name == result["file"] and output.name.endswith(".xlsx")
