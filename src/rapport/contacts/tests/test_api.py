"""The REST API of the customer base, used with a personal token and with the browser session."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from rapport.accounts.services import token_create
from rapport.activities.services.activities import activity_log
from rapport.contacts.models import Company, Person
from rapport.contacts.services import company_create, person_create
from rapport.core.models import ChangeRecord, CustomFieldDefinition, Job

CYRILLIC = re.compile("[А-Яа-яЁё]")
COMPANIES = "/api/v1/companies/"
PEOPLE = "/api/v1/people/"


def api(user, *, auth: str = "token", language: str | None = None) -> APIClient:
    client = APIClient()
    if auth == "token":
        _token, raw = token_create(actor=user, name="integration script")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    else:
        client.force_login(user)
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def state(obj) -> dict:
    """What a client could observe about a record (to show a refused request changed nothing)."""
    fresh = type(obj).objects.filter(pk=obj.pk).first()
    if fresh is None:
        return {}
    return {
        "str": str(fresh),
        "updated_at": fresh.updated_at,
        "curator": fresh.curator_id,
        "notes": fresh.notes,
        "changes": ChangeRecord.objects.filter(object_id=obj.pk).count(),
    }


def names(response) -> list[str]:
    return [item.get("name") or item.get("full_name") for item in response.json()["results"]]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}
    assert body["code"] == code
    return body


@pytest.fixture
def worker(transactional_db, run_tasks):
    """The real task worker; it closes the connection between tasks, so these tests commit."""
    return run_tasks


@pytest.fixture
def prospects(world):
    rep = world.user("rep")
    return [company_create(actor=rep, name=f"Prospect {i}", kind="prospect") for i in range(1, 6)]


# Lists -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("auth", ["token", "session"])
def test_list_filters_pages_and_counts(world, prospects, auth):
    client = api(world.user("rep"), auth=auth)
    page = client.get(COMPANIES, {"kind": "prospect", "limit": 2, "offset": 2})
    assert page.status_code == 200
    assert page.json()["count"] == 5
    assert names(page) == ["Prospect 3", "Prospect 4"]
    assert page.json()["next"].endswith("limit=2&offset=4")
    assert page.json()["previous"].endswith("limit=2")  # the first page

    everything = client.get(COMPANIES, {"limit": 500})
    assert everything.json()["count"] == 7
    assert "Foreign Customer TOV" not in names(everything)
    assert client.get(COMPANIES, {"kind": "customer"}).json()["count"] == 2


def test_long_lists_count_to_a_bound_unless_the_exact_total_is_asked_for(
    world, prospects, monkeypatch
):
    monkeypatch.setattr("rapport.core.paging.COUNT_STEP", 3)  # "long" = more than 3 here
    client = api(world.user("rep"))
    bounded = client.get(COMPANIES, {"limit": 1})
    assert (bounded.json()["count"], bounded.json()["count_is_exact"]) == (3, False)
    exact = client.get(COMPANIES, {"limit": 1, "count": "exact"})
    assert (exact.json()["count"], exact.json()["count_is_exact"]) == (7, True)
    assert names(exact) == names(bounded)


def test_cursor_mode_walks_every_visible_record_once(world, prospects):
    client = api(world.user("rep"))
    url, seen = f"{COMPANIES}?cursor=&limit=3", []
    while url:
        page = client.get(url).json()
        assert "count" not in page and len(page["results"]) <= 3
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == sorted(Company.objects.restrict(world.user("rep")).values_list("pk", flat=True))


@pytest.mark.parametrize("term", ["romashka", "Ромаш", "ROMASH", "40003"])
def test_search_finds_records_by_any_script_and_number(world, term):
    rep = world.user("rep")
    company_create(actor=rep, name="ООО Ромашка", tax_number="LV40003999999")
    company_create(actor=world.user("outsider"), name="Romashka Riga")  # not the rep's
    found = api(rep).get(COMPANIES, {"q": term})
    assert names(found) == ["ООО Ромашка"]


# Create, duplicates, validation ------------------------------------------------------------------
def test_create_with_a_likely_duplicate_asks_for_confirmation(world):
    client = api(world.user("rep"))
    before = Company.objects.count()
    payload = {"name": "Foreign Customer", "tax_number": "ua 12345678", "kind": "customer"}
    conflict = client.post(COMPANIES, payload, format="json")
    body = assert_error(conflict, 409, "duplicates")
    assert body["duplicates"] == [
        {
            "name": "Foreign Customer TOV",
            "curator": "Outsider Tester",
            "curator_team": "Team B",
            "reasons": ["same tax number", "similar name"],
            "is_visible": False,
        }
    ]
    assert Company.objects.count() == before

    created = client.post(
        f"{COMPANIES}?confirm_duplicate=true",
        {**payload, "phone": "+371 26 123 456"},
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["name"], data["tax_number"], data["phone"]) == (
        "Foreign Customer",
        "UA12345678",
        "+37126123456",
    )
    assert data["curator"] == world.user("rep").pk
    assert Company.objects.count() == before + 1


def test_person_create_by_api(world):
    client = api(world.user("rep"))
    payload = {"first_name": "Anna", "last_name": "Ozola", "emails": ["own.person@example.com"]}
    conflict = client.post(PEOPLE, payload, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["duplicates"][0]["id"] == world.people["own"].pk
    payload = {
        **payload,
        "emails": ["Anna@Ozola.LV"],
        "phones": ["+371 26 777 777"],
        "companies": [{"company": world.companies["own"].pk, "position": "CFO"}],
    }
    created = client.post(PEOPLE, payload, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["emails"], data["phones"]) == (["anna@ozola.lv"], ["+37126777777"])
    assert [(e["company_name"], e["position"]) for e in data["employments"]] == [
        ("Own Customer SIA", "CFO")
    ]
    foreign = {**payload, "emails": [], "companies": [{"company": world.companies["foreign"].pk}]}
    refused = client.post(f"{PEOPLE}?confirm_duplicate=1", foreign, format="json")
    assert assert_error(refused, 400, "invalid")["fields"] == {
        "companies": ["Choose companies you can see."]
    }


def test_invalid_input_is_a_400_with_field_messages(world):
    client = api(world.user("rep"))
    before = Company.objects.count()
    response = client.post(
        COMPANIES, {"name": "Bad Data SIA", "phone": "123", "email": "nobody@"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert body["detail"] == "Some fields are not valid."
    assert "is not a valid phone number" in body["fields"]["phone"][0]
    assert "is not a valid e-mail address" in body["fields"]["email"][0]
    response = client.post(
        COMPANIES, {"name": "Bad Data SIA", "custom_fields": {"x": 1}}, format="json"
    )
    assert assert_error(response, 400, "invalid")["fields"] == {
        "x": ["There is no custom field with this key."]
    }
    response = client.post(COMPANIES, {"name": "Bad Data SIA", "custom_fields": [1]}, format="json")
    assert "custom_fields" in assert_error(response, 400, "invalid")["fields"]
    assert Company.objects.count() == before

    own = world.companies["own"]
    snapshot = state(own)
    response = client.patch(f"{COMPANIES}{own.pk}/", {"website": "not a url"}, format="json")
    assert "website" in assert_error(response, 400, "invalid")["fields"]
    assert state(own) == snapshot


def test_errors_are_translated_per_accept_language(world):
    client = api(world.user("rep"), language="ru")
    missing = assert_error(
        client.get(f"{COMPANIES}{world.companies['foreign'].pk}/"), 404, "not_found"
    )
    assert CYRILLIC.search(missing["detail"]), missing
    not_object = assert_error(client.post(COMPANIES, [], format="json"), 400, "invalid")
    assert CYRILLIC.search(not_object["detail"]), not_object
    no_name = assert_error(
        client.post(COMPANIES, {"kind": "customer"}, format="json"), 400, "invalid"
    )
    assert CYRILLIC.search(no_name["fields"]["name"][0]), no_name
    english = api(world.user("rep"), language="en").post(COMPANIES, {}, format="json")
    assert english.json()["fields"]["name"] == ["This field is required."]


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (COMPANIES, {"name": "Nul\u0000 SIA"}, "name"),
        (COMPANIES, {"name": "Nul SIA", "notes": "a\u0000b"}, "notes"),
        (COMPANIES, {"name": "Nul SIA", "tags": ["v\u0000ip"]}, "tags"),
        (COMPANIES, {"name": "Nul SIA", "addresses": [{"city": "R\u0000iga"}]}, "addresses"),
        (PEOPLE, {"last_name": "Nul", "first_name": "Jā\u0000nis"}, "first_name"),
        (PEOPLE, {"last_name": "Nul", "emails": ["a\u0000@example.com"]}, "emails"),
        (PEOPLE, {"last_name": "Nul", "phones": ["+371\u000026123456"]}, "phones"),
    ],
)
def test_nul_bytes_are_refused_with_400(world, url, payload, field):
    counts = (Company.objects.count(), Person.objects.count())
    response = api(world.user("rep")).post(f"{url}?confirm_duplicate=true", payload, format="json")
    assert field in assert_error(response, 400, "invalid")["fields"]
    assert (Company.objects.count(), Person.objects.count()) == counts


def test_nul_bytes_in_query_parameters_are_refused_or_harmless(world):
    client = api(world.user("rep"))
    assert "q" in assert_error(client.get(COMPANIES, {"q": "Own\x00"}), 400, "invalid")["fields"]
    for params in ({"tax_number": "LV\x00"}, {"email": "a\x00@b.lv", "name": "x\x00y"}):
        response = client.get(f"{COMPANIES}duplicates/", params)
        assert response.status_code == 200 and response.json() == []
    response = client.get(f"{PEOPLE}duplicates/", {"email": "\x00", "last_name": "\x00"})
    assert response.status_code == 200 and response.json() == []


# Concurrency -------------------------------------------------------------------------------------
def test_etag_and_if_match_prevent_lost_updates(world):
    client = api(world.user("rep"))
    own = world.companies["own"]
    url = f"{COMPANIES}{own.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag
    updated = client.patch(url, {"notes": "Called on Monday"}, format="json", HTTP_IF_MATCH=etag)
    assert updated.status_code == 200
    assert updated["ETag"] != etag and client.get(url)["ETag"] == updated["ETag"]

    snapshot = state(own)
    stale = client.patch(url, {"notes": "Overwrite"}, format="json", HTTP_IF_MATCH=etag)
    assert_error(stale, 412, "stale")
    full = {**first.json(), "notes": "Overwrite", "addresses": []}
    assert_error(client.put(url, full, format="json", HTTP_IF_MATCH=etag), 412, "stale")
    assert_error(client.delete(url, HTTP_IF_MATCH=etag), 412, "stale")
    assert state(own) == snapshot and snapshot["notes"] == "Called on Monday"


# Scope and roles ---------------------------------------------------------------------------------
def test_another_teams_record_is_not_found_and_unchanged(world):
    client = api(world.user("rep"))
    for obj, base in ((world.companies["foreign"], COMPANIES), (world.people["foreign"], PEOPLE)):
        snapshot = state(obj)
        url = f"{base}{obj.pk}/"
        assert_error(client.get(url), 404, "not_found")
        assert_error(client.patch(url, {"notes": "mine now"}, format="json"), 404, "not_found")
        assert_error(client.delete(url), 404, "not_found")
        assert_error(client.get(f"{url}timeline/"), 404, "not_found")
        assert_error(client.post(f"{url}verify/"), 404, "not_found")
        assert state(obj) == snapshot


def test_auditor_reads_but_cannot_write(world):
    client = api(world.user("auditor"))
    own = world.companies["own"]
    snapshot, counts = state(own), Company.objects.count()
    assert client.get(f"{COMPANIES}{own.pk}/").status_code == 200
    assert client.get(COMPANIES).json()["count"] == 3
    assert_error(
        client.post(f"{COMPANIES}?confirm_duplicate=1", {"name": "Audit"}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        client.patch(f"{COMPANIES}{own.pk}/", {"notes": "x"}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(client.delete(f"{COMPANIES}{own.pk}/"), 403, "permission_denied")
    assert_error(client.post(f"{COMPANIES}{own.pk}/verify/"), 403, "permission_denied")
    assert state(own) == snapshot and Company.objects.count() == counts


def test_unauthenticated_and_revoked_tokens_are_refused(world):
    anonymous = APIClient().get(COMPANIES)
    assert_error(anonymous, 401, "not_authenticated")
    assert anonymous["WWW-Authenticate"] == "Bearer"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer rpt_not-a-real-token")
    assert_error(client.get(COMPANIES), 401, "authentication_failed")


# Card actions ------------------------------------------------------------------------------------
def test_timeline_includes_the_persons_and_the_companys_activities(world):
    rep = world.user("rep")
    own_company, own_person = world.companies["own"], world.people["own"]
    activity_log(actor=rep, company=own_company, kind="meeting", subject="Visit to the office")
    colleague = person_create(actor=rep, last_name="Colleague", companies=[(own_company, "")])
    activity_log(actor=rep, person=colleague, kind="email", subject="Mail to the colleague")
    client = api(rep)

    def subjects(url):
        return {
            e["activity"]["subject"]
            for e in client.get(url).json()["results"]
            if e["kind"] == "activity"
        }

    activity_log(actor=rep, person=world.people["team"], kind="call", subject="Unrelated call")
    expected = {"Call about own", "Visit to the office", "Mail to the colleague"}
    assert subjects(f"{PEOPLE}{own_person.pk}/timeline/") == expected
    assert subjects(f"{COMPANIES}{own_company.pk}/timeline/") == expected
    assert subjects(f"{PEOPLE}{colleague.pk}/timeline/") == expected


def test_merge_and_verify_endpoints(world):
    rep = world.user("rep")
    client = api(rep)
    own = world.companies["own"]
    twin = company_create(actor=rep, name="Own Customer", website="https://own.example.com")
    activity_log(actor=rep, company=twin, kind="call", subject="Call to the twin")
    assert_error(
        client.post(f"{COMPANIES}{own.pk}/merge/", {"other": own.pk}, format="json"), 400, "invalid"
    )
    assert_error(
        client.post(
            f"{COMPANIES}{own.pk}/merge/", {"other": world.companies["foreign"].pk}, format="json"
        ),
        404,
        "not_found",
    )
    merged = client.post(f"{COMPANIES}{own.pk}/merge/", {"other": twin.pk}, format="json")
    assert merged.status_code == 200
    assert merged.json()["website"] == "https://own.example.com"
    assert not Company.objects.filter(pk=twin.pk).exists()
    assert own.activities.filter(subject="Call to the twin").exists()
    assert Company.objects.filter(pk=world.companies["foreign"].pk).exists()

    person = world.people["own"]
    Person.objects.filter(pk=person.pk).update(verified_at=None)  # never checked since entered
    assert client.get(f"{PEOPLE}{person.pk}/").json()["is_stale"] is True
    verified = client.post(f"{PEOPLE}{person.pk}/verify/")
    assert verified.status_code == 200
    assert verified.json()["is_stale"] is False and verified.json()["verified_at"]


# Background jobs ---------------------------------------------------------------------------------
def test_import_through_the_api_runs_as_a_job(world, worker):
    client = api(world.user("rep"))
    content = "Name;Tax number;E-mail\nApi Import SIA;LV40001234567;info@api.lv\nBroken;;x@\n"
    file = SimpleUploadedFile("companies.csv", content.encode(), content_type="text/csv")
    started = client.post(
        "/api/v1/imports/", {"target": "company", "file": file}, format="multipart"
    )
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    worker()
    job = client.get(f"/api/v1/jobs/{started.json()['id']}/").json()
    assert job["status"] == "done" and job["percent"] == 100
    assert (job["result"]["created"], job["result"]["rejected_count"]) == (1, 1)
    assert job["result"]["rejected"][0]["row"] == 3
    assert Company.objects.get(name="Api Import SIA").email == "info@api.lv"
    assert_error(api(world.user("outsider")).get(f"/api/v1/jobs/{job['id']}/"), 404, "not_found")

    broken = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0old", content_type="application/xls")
    refused = client.post(
        "/api/v1/imports/", {"target": "company", "file": broken}, format="multipart"
    )
    assert "Old .xls files" in assert_error(refused, 400, "invalid")["fields"]["file"][0]
    assert Job.objects.count() == 1


@pytest.mark.parametrize("role", ["rep", "auditor"])
def test_export_through_the_api_contains_only_the_callers_records(world, worker, role):
    client = api(world.user(role))
    started = client.post(
        "/api/v1/exports/",
        {"list": "company", "format": "csv", "query": "kind=customer"},
        format="json",
    )
    assert started.status_code == 202, started.content
    worker()
    job = client.get(f"/api/v1/jobs/{started.json()['id']}/").json()
    assert job["status"] == "done"
    download = client.get(job["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    expected = {"Own Customer SIA", "Team Customer OOO"}
    if role == "auditor":
        expected.add("Foreign Customer TOV")
    assert {r[1] for r in rows[1:]} == expected
    other = api(world.user("outsider"))
    assert_error(other.get(job["download_url"]), 404, "not_found")


def test_vcard_export_is_for_people_only(world):
    refused = api(world.user("rep")).post(
        "/api/v1/exports/", {"list": "company", "format": "vcf"}, format="json"
    )
    assert "format" in assert_error(refused, 400, "invalid")["fields"]
    assert not Job.objects.exists()


# Throttling --------------------------------------------------------------------------------------
def test_too_many_requests_are_answered_429_with_retry_after(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min"},
    }
    cache.clear()
    client = api(world.user("rep"))
    assert [client.get(COMPANIES).status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.get(COMPANIES)
    assert_error(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert api(world.user("teammate")).get(COMPANIES).status_code == 200  # the limit is per user
    cache.clear()


def test_a_field_defined_in_another_process_is_accepted_at_once(world):
    """Validation never answers from the display memo of custom field definitions."""
    from rapport.core import custom_fields

    rep = world.user("rep")
    client = api(rep)
    client.get(COMPANIES)  # the list remembers the (empty) definitions for display
    # Another process defines a field: this process's memo is not told.
    CustomFieldDefinition.objects.create(target="contacts.company", key="segment", label="Segment")
    assert custom_fields.definitions_for("contacts.company", for_display=True) == []
    created = client.post(
        COMPANIES, {"name": "Segmented SIA", "custom_fields": {"segment": "B"}}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {"segment": "B"}
    listed = client.get(COMPANIES, {"cf_segment": "B"}).json()
    assert [c["name"] for c in listed["results"]] == ["Segmented SIA"]
