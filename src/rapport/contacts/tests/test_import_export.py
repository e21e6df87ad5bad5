"""Importing and exporting the customer base through the screens, with the real task worker."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook, load_workbook

from rapport.contacts.imports import read_input, rows_with_mapping
from rapport.contacts.models import Company, Employment, Person, PersonEmail, PersonPhone
from rapport.contacts.services import company_create, person_create
from rapport.contacts.services.imports import import_people_chunk
from rapport.core.jobs import job_progress, reap_expired
from rapport.core.models import Job, JobStatus, Tag

PEOPLE_CSV = (
    "Фамилия;Имя;Отчество;E-mail;Телефон;Компания;Должность\n"
    "Иванов;Пётр;Сергеевич;Petr@Example.com;+371 26 111 111;ООО Ромашка;Директор\n"
    "Сидорова;Анна;;anna@@example;+371 26 222 222;Берёзка;Бухгалтер\n"
    "Петров;Олег;;oleg@example.com;12;Ёлочка;\n"
    ";Безымянный;;nameless@example.com;+371 26 333 333;Пустышка;\n"
    "Ownlast;Ownfirst;;own.person@example.com;;;\n"
    "Foreignlast;Foreignfirst;;foreign.person@example.com;;;\n"
    "Козлов;Игорь;;petr@example.com;;;\n"
    "Смирнова;Ольга;Петровна;olga@example.com;+371 26 444 444;ООО Ромашка;Закупки\n"
)


# Helpers -----------------------------------------------------------------------------------------
def upload(client, content: bytes, name: str, target: str = "person", encoding: str = "auto"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/imports/new/", {"target": target, "encoding": encoding, "file": file})


def uploaded_job(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    return Job.objects.get(pk=int(match.group(1)))


def shown_mapping(html: str) -> dict[str, str]:
    """Column number -> field key, as the mapping selects on the page have them chosen."""
    mapping = {}
    for index, options in re.findall(r'name="col_(\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([\w]+)" selected>', options)
        if chosen:
            mapping[index] = chosen.group(1)
    return mapping


def start(client, job: Job, on_duplicate: str = "skip") -> None:
    """Submit the mapping page as the browser would: the chosen selects and "Import"."""
    page = client.get(f"/jobs/{job.pk}/")
    data = {f"col_{i}": key for i, key in shown_mapping(page.content.decode()).items()}
    response = client.post(f"/jobs/{job.pk}/", {**data, "on_duplicate": on_duplicate, "start": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def finished(job: Job) -> Job:
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def import_file(client, worker, content: bytes, name: str, **kwargs) -> Job:
    on_duplicate = kwargs.pop("on_duplicate", "skip")
    job = uploaded_job(upload(client, content, name, **kwargs))
    start(client, job, on_duplicate)
    worker()
    return finished(job)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(client, worker, noun: str, fmt: str, query: str = "", **extra) -> bytes:
    response = client.post(f"/{noun}/export/", {"format": fmt, "query": query, **extra})
    job = uploaded_job(response)
    worker()
    finished(job)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/jobs/{job.pk}/download/"' in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    return download.content


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def emails_of(**filters) -> list[str]:
    return sorted(PersonEmail.objects.filter(**filters).values_list("email", flat=True))


@pytest.fixture
def worker(transactional_db, run_tasks):
    """The real task worker. It closes "old" database connections between tasks, which would end
    the test's wrapping transaction on PostgreSQL, so these tests commit and flush instead."""
    return run_tasks


@pytest.fixture
def rep_client(client, world):
    client.force_login(world.user("rep"))
    return client


# Upload, mapping and preview ---------------------------------------------------------------------
def test_mapping_page_guesses_columns_and_previews_row_errors(rep_client):
    job = uploaded_job(upload(rep_client, PEOPLE_CSV.encode(), "people.csv"))
    assert job.status == JobStatus.DRAFT and job.progress_total == 8
    html = rep_client.get(f"/jobs/{job.pk}/").content.decode()
    assert shown_mapping(html) == {
        "0": "last_name",
        "1": "first_name",
        "2": "middle_name",
        "3": "emails",
        "4": "phones",
        "5": "company",
        "6": "position",
    }
    assert "“anna@@example” is not a valid e-mail address." in html
    assert "“12” is not a valid phone number." in html
    assert "The last name is required." in html
    assert html.count('class="table-danger"') == 3
    assert html.count('class="table-warning"') == 3  # two already in the base, one repeated
    assert not Person.objects.filter(last_name="Иванов").exists()  # the preview wrote nothing
    assert not Company.objects.filter(name="ООО Ромашка").exists()


def test_csv_import_reports_created_skipped_and_rejected_rows_exactly(rep_client, worker, world):
    people, companies = Person.objects.count(), Company.objects.count()
    phones, jobs = PersonPhone.objects.count(), Employment.objects.count()
    job = import_file(rep_client, worker, PEOPLE_CSV.encode("utf-8"), "people.csv")

    assert (job.result["created"], job.result["skipped"], job.result["rejected_count"]) == (2, 3, 3)
    reasons = {r["row"]: r["errors"] for r in job.result["rejected"]}
    assert reasons == {
        3: ["E-mail: “anna@@example” is not a valid e-mail address."],
        4: [
            "Phone: “12” is not a valid phone number. "
            "Include the country code, e.g. +371 2000 0000."
        ],
        5: ["Last name: The last name is required."],
    }
    duplicates = {d["row"]: d for d in job.result["duplicates"]}
    assert duplicates[6]["url"] == world.people["own"].get_absolute_url()
    assert duplicates[7]["name"] == "Foreignfirst Foreignlast" and "url" not in duplicates[7]
    assert duplicates[7]["curator"] == "Outsider Tester"
    assert duplicates[8]["same_as_row"] == 2

    # Exactly the two good rows were written, with everything they carried; nothing else.
    assert Person.objects.count() == people + 2
    assert PersonPhone.objects.count() == phones + 2
    assert Employment.objects.count() == jobs + 2
    assert Company.objects.count() == companies + 1  # "ООО Ромашка", once
    assert not Company.objects.filter(name__in=["Берёзка", "Ёлочка", "Пустышка"]).exists()
    assert emails_of(email__in=["nameless@example.com", "oleg@example.com"]) == []
    petr = Person.objects.get(last_name="Иванов")
    assert (petr.first_name, petr.middle_name, petr.position) == ("Пётр", "Сергеевич", "Директор")
    assert (petr.email, petr.phone, petr.source) == ("petr@example.com", "+37126111111", "import")
    assert petr.curator == world.user("rep") and petr.source_detail == "people.csv"
    romashka = Company.objects.get(name="ООО Ромашка")
    assert set(romashka.people.values_list("last_name", flat=True)) == {"Иванов", "Смирнова"}

    page = rep_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Imported 2 records; skipped 3 duplicates; rejected 3 rows." in page
    assert "The last name is required." in page
    assert world.people["foreign"].get_absolute_url() not in page


CYRILLIC_CSV = (
    "Фамилия;Имя;Телефон;Компания\n"
    "Ёжиков;Пётр;+371 26 111 111;Щукин и сыновья\n"
    "Шевчук;Юлия;+371 26 222 222;Объединённые мастерские\n"
)


@pytest.mark.parametrize("encoding", ["auto", "windows-1251"])
def test_windows_1251_csv_is_read_correctly(rep_client, worker, encoding):
    job = import_file(
        rep_client, worker, CYRILLIC_CSV.encode("cp1251"), "1c-export.csv", encoding=encoding
    )
    assert job.result["created"] == 2
    assert set(Person.objects.filter(source="import").values_list("last_name", "first_name")) == {
        ("Ёжиков", "Пётр"),
        ("Шевчук", "Юлия"),
    }
    assert Company.objects.filter(name="Объединённые мастерские").exists()


def test_xlsx_import_of_companies(rep_client, worker, world):
    content = xlsx(
        [
            ["Name", "Tax number", "E-mail", "Phone", "City", "Tags"],
            [
                "Alpha Trade SIA",
                "LV40001112223",
                "Info@Alpha.lv",
                "+371 67 000 000",
                "Riga",
                "VIP, Wholesale",
            ],
            ["Beta Bad Mail", None, "beta@", None, None, None],
            ["Gamma Bad Phone", None, None, "123", None, None],
            [None, "LV40009990001", "noname@example.com", None, "Jelgava", None],
            ["Foreign duplicate", "UA12345678", None, None, None, None],
            ["Alpha Trade", "lv 40001112223", None, None, None, None],
            ["Delta", 40003000111, None, None, None, None],
        ]
    )
    before = Company.objects.count()
    job = import_file(rep_client, worker, content, "companies.xlsx", target="company")
    assert (job.result["created"], job.result["skipped"], job.result["rejected_count"]) == (2, 2, 3)
    assert {r["row"] for r in job.result["rejected"]} == {3, 4, 5}
    duplicates = {d["row"]: d for d in job.result["duplicates"]}
    assert duplicates[6]["name"] == "Foreign Customer TOV" and "url" not in duplicates[6]
    assert duplicates[7]["same_as_row"] == 2
    assert Company.objects.count() == before + 2
    alpha = Company.objects.get(name="Alpha Trade SIA")
    assert (alpha.email, alpha.phone, alpha.tax_number) == (
        "info@alpha.lv",
        "+37167000000",
        "LV40001112223",
    )
    assert [a.city for a in alpha.addresses.all()] == ["Riga"]
    assert sorted(t.name for t in alpha.tags.all()) == ["VIP", "Wholesale"]
    assert Company.objects.get(name="Delta").tax_number == "40003000111"
    assert not Company.objects.filter(name__in=["Beta Bad Mail", "Gamma Bad Phone"]).exists()


VCARDS = {
    "3.0": (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kalniņa;Ilze;;;\r\nFN:Ilze Kalniņa\r\n"
        "EMAIL;TYPE=WORK:Ilze@Example.lv\r\nTEL;TYPE=CELL:+371 26 444 444\r\n"
        "ORG:Kalniņi SIA\r\nTITLE:Buyer\r\nBDAY:1990-04-05\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Иван Петров\r\nTEL:+371 26 555 555\r\nEND:VCARD\r\n"
    ),
    "4.0": (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Kalniņa;Ilze;;;\r\nFN:Ilze Kalniņa\r\n"
        "EMAIL;TYPE=work:Ilze@Example.lv\r\nTEL;VALUE=uri;TYPE=cell:tel:+371-26-444-444\r\n"
        "ORG:Kalniņi SIA\r\nTITLE:Buyer\r\nBDAY:19900405\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Иван Петров\r\nTEL;VALUE=uri:tel:+37126555555\r\n"
        "END:VCARD\r\n"
    ),
}


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_import(rep_client, worker, version):
    job = import_file(rep_client, worker, VCARDS[version].encode(), "contacts.vcf")
    assert (job.result["created"], job.result["rejected_count"]) == (2, 0)
    ilze = Person.objects.get(last_name="Kalniņa")
    assert (ilze.first_name, ilze.position, ilze.birthday) == (
        "Ilze",
        "Buyer",
        datetime.date(1990, 4, 5),
    )
    assert (ilze.email, ilze.phone) == ("ilze@example.lv", "+37126444444")
    assert [c.name for c in ilze.companies.all()] == ["Kalniņi SIA"]
    ivan = Person.objects.get(last_name="Петров")
    assert (ivan.first_name, ivan.phone) == ("Иван", "+37126555555")


# Files that cannot be imported -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "encoding", "message"),
    [
        (b"", "people.csv", "auto", "The submitted file is empty."),
        (b"  \r\n \r\n", "people.csv", "auto", "The file is empty."),
        (b"name;email\r\n", "people.csv", "auto", "The file has a header but no rows."),
        (b"\x00\x01\x02\x03 binary", "people.csv", "auto", "does not look like a text (CSV) file"),
        (
            b'name,email\r\n"' + b"x" * 200_000 + b'",a@b.lv\r\n',
            "people.csv",
            "auto",
            "The CSV file is malformed",
        ),
        (CYRILLIC_CSV.encode("cp1251"), "people.csv", "utf-8", "not in the utf-8 encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "people.xls", "auto", "Old .xls files"),
        (b"PK\x03\x04 not a zip", "people.xlsx", "auto", "not a readable Excel (.xlsx)"),
        (xlsx([]), "empty.xlsx", "auto", "The file is empty."),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\n", "card.vcf", "auto", "malformed"),
        (b"hello, this is not a card", "card.vcf", "auto", "not a vCard file"),
    ],
)
def test_unreadable_files_are_refused_on_the_upload_form(
    rep_client, content, name, encoding, message
):
    response = upload(rep_client, content, name, encoding=encoding)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_auditor_cannot_import(client, world):
    client.force_login(world.user("auditor"))
    response = upload(client, CYRILLIC_CSV.encode(), "people.csv")
    assert response.status_code == 404
    assert not Job.objects.exists()


# Resuming after a crash --------------------------------------------------------------------------
def leave_as_crashed_after_first_chunk(job: Job, actor) -> None:
    """The state a worker killed after committing its first chunk leaves behind."""
    headers, body = read_input(job)
    rows = list(rows_with_mapping(headers, body, job.params["mapping"]))
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    outcome = import_people_chunk(
        actor=actor, rows=rows[:2], on_duplicate="create", source_name=job.params["file_name"]
    )
    job.refresh_from_db()
    job.result = {
        "created": outcome.created,
        "skipped": 0,
        "rejected_count": 0,
        "rejected": [],
        "duplicates": [],
    }
    job.save(update_fields=["result"])
    job_progress(job, done=2, total=len(rows))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING", started_at=long_ago)


def test_import_resumes_after_a_killed_worker_without_duplicates(
    rep_client, worker, world, settings
):
    settings.RAPPORT = {**settings.RAPPORT, "IMPORT_CHUNK_SIZE": 2}
    lines = ["last_name,first_name,email"] + [
        f"Resumed{i},Person{i},resumed{i}@example.com" for i in range(1, 6)
    ]
    people = Person.objects.count()
    job = uploaded_job(upload(rep_client, "\n".join(lines).encode(), "five.csv"))
    start(rep_client, job, on_duplicate="create")
    leave_as_crashed_after_first_chunk(job, world.user("rep"))
    assert Person.objects.count() == people + 2

    assert reap_expired() == {"requeued": 1, "failed": 0, "released_tasks": 1}
    worker()

    job = finished(job)
    assert (job.progress_done, job.progress_total, job.attempts) == (5, 5, 2)
    assert (job.result["created"], job.result["skipped"]) == (5, 0)
    assert Person.objects.count() == people + 5
    assert emails_of(email__startswith="resumed") == [
        f"resumed{i}@example.com" for i in range(1, 6)
    ]


# Export ------------------------------------------------------------------------------------------
@pytest.fixture
def risky_companies(world):
    rep = world.user("rep")
    names = ['=HYPERLINK("http://evil.example","x")', "+Plus Trading", "-Minus Ltd", "@At Home"]
    return [company_create(actor=rep, name=name, kind="prospect") for name in names]


def test_csv_export_has_only_filtered_in_scope_records_and_neutralised_cells(
    rep_client, worker, world, risky_companies
):
    rows = csv_rows(export(rep_client, worker, "companies", "csv", "kind=customer"))
    assert rows[0][:3] == ["ID", "Name", "Type"]
    assert sorted(r[1] for r in rows[1:]) == ["Own Customer SIA", "Team Customer OOO"]
    assert rows[1:][[r[1] for r in rows[1:]].index("Own Customer SIA")][8] == "'+37126000001"

    rows = csv_rows(export(rep_client, worker, "companies", "csv", "kind=prospect"))
    assert sorted(r[1] for r in rows[1:]) == [
        "'+Plus Trading",
        "'-Minus Ltd",
        '\'=HYPERLINK("http://evil.example","x")',
        "'@At Home",
    ]
    everything = csv_rows(export(rep_client, worker, "companies", "csv"))
    assert "Foreign Customer TOV" not in {r[1] for r in everything}
    assert len(everything) == 1 + 2 + len(risky_companies)


def test_xlsx_export_neutralises_formulas(rep_client, worker, risky_companies):
    content = export(rep_client, worker, "companies", "xlsx", "kind=prospect")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert all(name.startswith("'") for name in names)
    assert sheet.cell(row=1, column=2).value == "Name"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_download_belongs_to_its_author(rep_client, worker, client, world):
    rep_client.post("/companies/export/", {"format": "csv"})
    worker()
    job = Job.objects.get(kind="contacts.export")
    client.force_login(world.user("outsider"))
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_export_round_trips_through_vcard_import(rep_client, worker, world, version):
    rep = world.user("rep")
    tag = Tag.objects.create(name="fair")
    originals = [
        person_create(
            actor=rep,
            first_name="Пётр",
            middle_name="Сергеевич",
            last_name="Иванов",
            position="Head of sales, Baltics; exports",
            birthday=datetime.date(1979, 12, 31),
            emails=["petr@example.com", "p.ivanov@example.ru"],
            phones=["+371 26 111 111"],
            notes="Met at the fair.\nPrefers calls",
            companies=[(world.companies["own"], "")],
            tags=[tag],
        ),
        person_create(
            actor=rep,
            first_name="Ilze",
            last_name="Kalniņa",
            tags=[tag],
            emails=["ilze@example.lv"],
        ),
    ]
    person_create(actor=rep, last_name="Untagged", emails=["untagged@example.com"])

    content = export(rep_client, worker, "people", "vcf", f"tag={tag.pk}", vcard_version=version)
    text = content.decode("utf-8")
    assert text.count("BEGIN:VCARD") == 2 and f"VERSION:{version}" in text
    assert "untagged" not in text and "Foreignlast" not in text

    job = import_file(rep_client, worker, content, "export.vcf", on_duplicate="create")
    assert (job.result["created"], job.result["rejected_count"]) == (2, 0)

    def card(person):
        return (
            person.first_name,
            person.middle_name,
            person.last_name,
            person.position,
            person.birthday,
            person.notes,
            emails_of(person=person),
            list(person.phones.values_list("number", flat=True)),
            sorted(c.name for c in person.companies.all()),
        )

    imported = Person.objects.filter(source="import").order_by("last_name")
    assert [card(p) for p in imported] == [
        card(p) for p in sorted(originals, key=lambda p: p.last_name)
    ]
