"""Importing a file of leads: checked at the upload, written by the real background worker."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from rapport.accounts.services import token_create
from rapport.core.jobs import job_progress, job_start, reap_expired
from rapport.core.models import ChangeRecord, Job, JobStatus, OutboxMessage
from rapport.sales.choices import DistributionMethod
from rapport.sales.models import DistributionRule, Lead
from rapport.sales.services.lead_imports import lead_import_chunk, rows_from_file

GOOD_CSV = (
    b"first_name,last_name,company,email,phone,industry,source,campaign,utm_source\n"
    b"Ieva,Sala,Sala SIA,ieva@sala.lv,,retail,event,Expo,\n"
    b"Petr,Ivanov,,,+371 26 111 222,,,,partner-site\n"
    b",,,,,,,,\n"
    b"Anna,Berzina,Steel Works,anna@steel.lv,,manufacturing,,,\n"
    b"Olga,Koval,,olga@example.com,,retail,,,\n"
    b"Juris,Ozols,,juris@example.com,,,,,\n"
)
BAD_CSV = (
    b"last_name,email,source\n"
    b"Good,good@example.com,event\n"
    b",nobody@example.com,\n"
    b"Bad,not-an-email,\n"
    b"Moon,moon@example.com,moon\n"
)


@pytest.fixture(autouse=True)
def outbox(settings):
    """Messages kept in the outbox, as in production without SMTP (tests default to memory)."""
    settings.MAILERS = {"default": {"BACKEND": "rapport.core.mail.OutboxBackend"}}


@pytest.fixture
def worker(transactional_db, run_tasks):
    """The real task worker (it ends the test's transaction on PostgreSQL: these tests commit)."""
    return run_tasks


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, content: bytes, name: str = "leads.csv", campaign: str = ""):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/leads/import/", {"file": file, "campaign": campaign})


def uploaded_job(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/leads/import/(\d+)/", response["Location"])
    return Job.objects.get(pk=int(match.group(1)))


def written():
    return (Lead.objects.count(), ChangeRecord.objects.count(), OutboxMessage.objects.count())


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rules(world):
    """Manufacturing to the outsider; everything else round-robin in team A (rep, teammate)."""
    DistributionRule.objects.create(
        name="Industry",
        position=1,
        industry="manufacturing",
        method=DistributionMethod.USER,
        team=world.teams["b"],
        user=world.users["outsider"],
    )
    DistributionRule.objects.create(name="Everything to A", team=world.teams["a"], position=5)


# Files refused at the upload ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "leads.csv", "The submitted file is empty."),
        (b"colour,size\nred,big\n", "leads.csv", "No known column in the first row"),
        (b"last_name,email\n", "leads.csv", "The file holds no leads."),
        (b"last_name,email\n,\n , \n", "leads.csv", "The file holds no leads."),
        (b"\x00\x01\x02\x03 binary", "leads.csv", "does not look like a text (CSV) file"),
        (b"PK\x03\x04 not a zip", "leads.xlsx", "not a readable Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "leads.xls", "Old .xls files"),
        (
            b"last_name,email\n" + b"Many,many@example.com\n" * 5001,
            "leads.csv",
            "A file may hold at most 5000 leads; split it.",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once_and_starts_nothing(
    world, content, name, message
):
    before = written()
    response = upload(login(world.users["rep"]), content, name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Job.objects.exists() and written() == before


def test_a_file_too_large_is_refused(world, settings):
    settings.RAPPORT = {**settings.RAPPORT, "MAX_UPLOAD_BYTES": 50}
    response = upload(login(world.users["rep"]), GOOD_CSV)
    assert response.status_code == 422 and "The file is too large." in response.content.decode()
    assert not Job.objects.exists()


def test_the_auditor_cannot_import(world):
    response = upload(login(world.users["auditor"]), GOOD_CSV)
    assert response.status_code == 404 and not Job.objects.exists()


# The worker ------------------------------------------------------------------------------------
def test_a_file_with_bad_rows_writes_nothing_and_the_page_lists_every_bad_row(world, worker):
    client = login(world.users["rep"])
    before = written()
    job = uploaded_job(upload(client, BAD_CSV))
    assert job.status == JobStatus.QUEUED and job.progress_total == 4
    worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 0
    assert job.result["error_count"] == 3
    assert [e.split(":")[0] for e in job.result["errors"]] == ["Row 3", "Row 4", "Row 5"]
    assert "Give the name of the person or of the company." in job.result["errors"][0]
    assert written() == before  # not even the good row 2
    page = client.get(f"/leads/import/{job.pk}/").content.decode()
    assert "Nothing was imported. Correct these rows and upload the file again:" in page
    assert "Row 4:" in page and "part=progress" not in page  # no more polling


def test_a_good_file_is_given_out_by_the_rules_with_one_e_mail_per_assignee(world, worker):
    rules(world)
    client = login(world.users["marketer"])
    job = uploaded_job(upload(client, GOOD_CSV, campaign="Q3 list"))
    page = client.get(f"/leads/import/{job.pk}/").content.decode()
    assert "Import of leads from leads.csv" in page
    assert 'hx-get="?part=progress"' in page and "0 / 5" in page  # polls until it is done
    worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.percent == 100
    assert (job.result["created"], job.result["error_count"], job.progress_done) == (5, 0, 5)
    leads = {lead.last_name: lead for lead in Lead.objects.select_related("owner")}
    assert set(leads) == {"Sala", "Ivanov", "Berzina", "Koval", "Ozols"}
    assert sorted(job.result["ids"]) == sorted(lead.pk for lead in leads.values())
    sala, ivanov = leads["Sala"], leads["Ivanov"]
    assert (sala.source, sala.campaign, sala.email) == ("event", "Expo", "ieva@sala.lv")
    assert (ivanov.source, ivanov.campaign, ivanov.utm_source, ivanov.phone) == (
        "import",
        "Q3 list",
        "partner-site",
        "+37126111222",
    )
    # The rules: manufacturing to the outsider, the rest in turn in team A.
    assert leads["Berzina"].owner == world.users["outsider"]
    assert [leads[n].owner.username for n in ("Sala", "Ivanov", "Koval", "Ozols")] == [
        "rep",
        "teammate",
        "rep",
        "teammate",
    ]
    # One e-mail per assignee for the whole file.
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == [
        "outsider@example.com",
        "rep@example.com",
        "teammate@example.com",
    ]
    to_rep = OutboxMessage.objects.get(to="rep@example.com")
    assert to_rep.subject == "2 new leads for you"
    assert "Sala" in to_rep.body and "Koval" in to_rep.body
    progress = client.get(f"/leads/import/{job.pk}/?part=progress", headers={"HX-Request": "true"})
    html = progress.content.decode()
    assert html.lstrip().startswith('<div id="job-progress"') and "<html" not in html
    assert "5 leads imported." in html and "hx-get" not in html  # no more polling


def test_an_excel_file_is_imported(world, worker):
    content = xlsx([["Last name", "E-mail", "Company"], ["Liepa", "liepa@example.lv", "Liepa SIA"]])
    job = uploaded_job(upload(login(world.users["rep"]), content, "leads.xlsx"))
    worker()
    job.refresh_from_db()
    assert job.result["created"] == 1
    lead = Lead.objects.get()
    assert (lead.company_name, lead.owner, lead.team) == ("Liepa SIA", None, world.teams["a"])


def test_a_worker_killed_mid_file_resumes_without_duplicates_or_a_second_e_mail(
    world, worker, settings
):
    settings.RAPPORT = {**settings.RAPPORT, "IMPORT_CHUNK_SIZE": 2}
    rules(world)
    job = uploaded_job(upload(login(world.users["marketer"]), GOOD_CSV))
    # What a worker killed after its first chunk leaves: two leads and the progress, committed.
    rows = rows_from_file(GOOD_CSV, "leads.csv")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    ids, errors = lead_import_chunk(actor=job.owner, rows=rows[:2])
    job.result = {"ids": ids, "created": 2, "errors": errors, "error_count": 0}
    job.save(update_fields=["result"])
    job_progress(job, done=2, total=len(rows))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert reap_expired()["requeued"] == 1
    worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 5
    assert Lead.objects.count() == 5 and Lead.objects.filter(last_name="Sala").count() == 1
    # The leads of the first chunk are in the file's one e-mail too.
    assert OutboxMessage.objects.count() == 3
    assert "Sala" in OutboxMessage.objects.get(to="rep@example.com").body


def test_someone_elses_import_and_other_jobs_are_not_found(world):
    job = uploaded_job(upload(login(world.users["rep"]), GOOD_CSV))
    assert login(world.users["outsider"]).get(f"/leads/import/{job.pk}/").status_code == 404
    export = job_start(
        actor=world.users["rep"],
        kind="contacts.export",
        params={"noun": "company", "format": "csv", "query": ""},
    )
    assert login(world.users["rep"]).get(f"/leads/import/{export.pk}/").status_code == 404


# API ---------------------------------------------------------------------------------------------
def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(actor=user, name='t')[1]}")
    return client


def test_the_api_answers_202_with_the_job_and_reports_through_it(world, worker):
    client = api(world.users["rep"])
    good = io.BytesIO(GOOD_CSV)
    good.name = "leads.csv"
    response = client.post(
        "/api/v1/leads/import/", {"file": good, "campaign": "Q3 list"}, format="multipart"
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["progress_total"]) == (
        "sales.lead_import",
        "queued",
        5,
    )
    bad = io.BytesIO(BAD_CSV)
    bad.name = "bad.csv"
    bad_job = client.post("/api/v1/leads/import/", {"file": bad}, format="multipart").json()
    worker()
    done = client.get(f"/api/v1/jobs/{body['id']}/").json()
    assert (done["status"], done["result"]["created"], done["percent"]) == ("done", 5, 100)
    assert sorted(done["result"]["ids"]) == sorted(Lead.objects.values_list("pk", flat=True))
    refused = client.get(f"/api/v1/jobs/{bad_job['id']}/").json()
    assert refused["result"]["created"] == 0
    assert refused["result"]["errors"][0].startswith("Row 3:")
    assert Lead.objects.count() == 5


def test_the_api_refuses_an_unreadable_file_with_a_clear_error(world):
    junk = io.BytesIO(b"\x00\x01\x02 not a table")
    junk.name = "leads.xlsx"
    response = api(world.users["rep"]).post(
        "/api/v1/leads/import/", {"file": junk}, format="multipart"
    )
    assert response.status_code == 400
    assert "not a readable Excel" in response.json()["fields"]["file"][0]
    assert not Job.objects.exists()
