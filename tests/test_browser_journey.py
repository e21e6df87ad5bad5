"""The "done means" journey in Debian's chromium against a live server: a new rep signs in, works in
Russian, creates a company and a person (warned about a likely duplicate), logs a call, imports a
CSV with broken rows through a real task worker, and a rep of another team sees none of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from conftest import build_world, run_task_worker, server_turn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-pass-123!"
SHOTS = Path("/tmp/rapport-journey")
TIMEOUT = 15_000

IMPORT_CSV = """Company name,Type,VAT,E-mail,Web,Town,Kontakttelefons,Comment
Ozols Trading SIA,customer,LV40003000001,info@ozols.lv,ozols.lv,Rīga,+371 26 555 001,Fair list
Liepa Media SIA,prospect,,hello@liepa-media.lv,,Liepāja,+371 26 555 002,
,customer,,nobody@example.lv,,Rīga,,a row without a name
Bad Mail SIA,customer,,not-an-email,,Rīga,,
Martian Goods,alien,,,,,,
Short Phone SIA,customer,,,,,12,
Kalns Build SIA,partner,,office@kalns-build.lv,,Valmiera,+371 26 555 003,
Own Customer SIA,customer,,,,,,already in the base
"""
IMPORTED = ["Ozols Trading SIA", "Liepa Media SIA", "Kalns Build SIA"]
# Row -> what its reason must mention: the field (as the user's form names it) or the bad value.
REJECTED = {4: "NAME_LABEL", 5: "not-an-email", 6: "alien", 7: "«12»"}


@pytest.fixture
def watch():
    """Collect server errors and JavaScript errors of every page the test opens."""
    problems: list[str] = []

    def attach(page: Page) -> Page:
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} from {r.url}") if r.status >= 500 else None,
        )
        return page

    attach.problems = problems
    SHOTS.mkdir(parents=True, exist_ok=True)
    return attach


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Page, base: str, username: str, screenshot: str = "") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("#user-menu")).to_have_count(1)


def not_found(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 404, f"{url}: {response and response.status}"
    if "html" in response.headers.get("content-type", ""):
        # The site's own page, with the navigation, that does not tell whether the record exists.
        expect(page.locator("#not-found")).to_be_visible()
        expect(page.locator("#not-found a[href='/']")).to_be_visible()


def test_new_rep_journey_and_another_team_sees_nothing(
    live_server, page: Page, browser: Browser, watch
):
    from rapport.accounts.choices import Role
    from rapport.accounts.services import user_create
    from rapport.activities.models import Activity
    from rapport.contacts.models import Company, Person
    from rapport.contacts.services import company_create
    from rapport.core.models import Job

    world = build_world()
    nora = user_create(
        actor=None,
        username="nora",
        password=PASSWORD,
        first_name="Nora",
        last_name="Newcomer",
        email="nora@example.com",
        role=Role.SALES_REP,
        team=world.teams["a"],
        department=world.teams["a"].department,
    )
    company_create(actor=world.user("outsider"), name="Ozols Logistics SIA", kind="customer")
    with translation.override("ru"):
        companies_ru = translation.gettext("Companies")

    base = live_server.url
    page = watch(page)

    # 1. The new rep signs in and switches the interface to Russian from the user menu.
    sign_in(page, base, "nora", screenshot="00-login")
    expect(page.locator("h1")).to_contain_text("Nora")
    page.click("#user-menu")
    page.locator("form[action='/profile/language/'] button[lang=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    # Django ships "Search" in Russian; our own strings follow once the catalogue is compiled.
    expect(page.locator("#global-search")).to_have_attribute("aria-label", "Поиск")
    expect(page.locator("#mainnav a[href='/companies/']")).to_contain_text(companies_ru)
    shot(page, "01-home-ru")

    # 2. She creates a company; a similar name of another team's customer is flagged while she
    # types and again when she saves, until she confirms.
    page.locator("#mainnav a[href='/companies/']").click()
    page.locator("main a[href='/companies/new/']").click()
    page.fill("#id_name", "Ozols Logistics Ltd")
    panel = page.locator("#duplicates-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Ozols Logistics SIA")
    expect(panel).to_contain_text("Outsider Tester")
    expect(panel.locator("a")).to_have_count(0)  # another team's record: no link into it
    page.fill("#id_email", "office@ozols-logistics.co.uk")
    page.fill("#id_phone", "+371 26 444 000")
    page.fill("#id_city", "Rīga")
    shot(page, "02-company-duplicate-live")
    page.locator("#record-form button[type=submit]").click()
    expect(page.locator("#duplicates-panel")).to_be_visible()
    confirm = page.locator("#id_confirm_duplicate")
    expect(confirm).to_be_visible()
    shot(page, "03-company-duplicate-on-submit")
    confirm.check()
    page.locator("#record-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Ozols Logistics Ltd")
    company = Company.objects.get(name="Ozols Logistics Ltd")
    assert (company.owner, company.team) == (nora, world.teams["a"])
    assert page.url == f"{base}/companies/{company.pk}/"

    # 3. From the company card she adds a person working there.
    page.locator(f"a[href='/people/new/?company={company.pk}']").click()
    page.fill("#id_first_name", "Anna")
    page.fill("#id_last_name", "Bērziņa")
    page.fill("#id_position", "Logistics manager")
    # An e-mail address already in the base is flagged live too; the right one clears the panel.
    page.fill("#id_emails_text", "team.person@example.com")
    expect(page.locator("#duplicates-panel")).to_contain_text("Teamfirst Teamlast")
    page.fill("#id_emails_text", "anna@ozols-logistics.co.uk")
    expect(page.locator("#duplicates-panel")).to_have_count(0)
    page.fill("#id_phones_text", "+371 26 444 001")
    page.locator("#record-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Anna Bērziņa")
    expect(page.locator("#person-companies")).to_contain_text("Ozols Logistics Ltd")
    person = Person.objects.get(last_name="Bērziņa")

    # 4. She logs a call on the person; it shows on the person's and the company's timelines.
    page.locator(f"a[href='/activities/new/?person={person.pk}&kind=call']").click()
    page.fill("#id_subject", "Spring delivery schedule")
    page.fill("#id_duration_minutes", "15")
    page.fill("#id_body", "Anna wants weekly deliveries from April.")
    page.locator("#activity-form button[type=submit]").first.click()
    expect(page.locator("h1")).to_contain_text("Anna Bērziņa")
    expect(page.locator("#timeline")).to_contain_text("Spring delivery schedule")
    shot(page, "04-person-card-timeline")
    page.locator("#person-companies a", has_text="Ozols Logistics Ltd").click()
    expect(page.locator("#timeline")).to_contain_text("Spring delivery schedule")
    expect(page.locator("#company-people")).to_contain_text("Anna Bērziņa")
    shot(page, "05-company-card-timeline")
    call = Activity.objects.get(subject="Spring delivery schedule")
    assert (call.person, call.company, call.owner) == (person, company, nora)

    # 5. She imports a CSV: maps the column the importer did not recognise, starts the import,
    # a real worker runs it, and the report lists every rejected row with its reason.
    page.locator("#mainnav a[href='/imports/new/']").click()
    page.select_option("#id_target", "company")
    page.set_input_files(
        "#id_file",
        files=[{"name": "fair-leads.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}],
    )
    page.locator("main form button[type=submit]").click()
    preview = page.locator("#import-preview")
    expect(preview).to_be_visible()
    expect(page.locator("select[name=col_0]")).to_have_value("name")
    expect(page.locator("select[name=col_6]")).to_have_value("")  # "Kontakttelefons": unknown
    page.select_option("select[name=col_6]", "phone")
    page.locator("button[name=preview]").click()
    expect(page.locator("select[name=col_6]")).to_have_value("phone")
    expect(preview.locator("tbody tr.table-danger")).to_have_count(len(REJECTED))
    shot(page, "06-import-mapping")
    page.locator("button[name=start]").click()
    expect(page.locator("#job-progress")).to_be_visible()
    with server_turn():
        job = Job.objects.get(kind="contacts.import", owner=nora)
    assert job.status == "queued"
    run_task_worker()
    progress = page.locator("#job-progress [role=progressbar]")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=TIMEOUT)
    report = page.locator("#import-report")
    expect(report).to_be_visible()
    for number in (len(IMPORTED), 1, len(REJECTED)):
        expect(report).to_contain_text(str(number))
    rows = page.locator("#rejected-rows tbody tr")
    expect(rows).to_have_count(len(REJECTED))
    with translation.override("ru"):
        name_label = str(Company._meta.get_field("name").verbose_name).capitalize()
    for index, (row_number, hint) in enumerate(REJECTED.items()):
        hint = name_label if hint == "NAME_LABEL" else hint
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(str(row_number))
        expect(cells.nth(1)).to_contain_text(hint)
    expect(page.locator("#duplicate-rows")).to_contain_text("Own Customer SIA")
    shot(page, "07-import-report")
    job.refresh_from_db()
    assert job.status == "done"
    assert (job.result["created"], job.result["rejected_count"]) == (len(IMPORTED), len(REJECTED))
    imported = Company.objects.filter(name__in=IMPORTED)
    assert sorted(c.name for c in imported) == sorted(IMPORTED)
    assert {c.team_id for c in imported} == {world.teams["a"].pk}
    page.goto(f"{base}/companies/?q=Liepa")
    expect(page.locator("#record-list")).to_contain_text("Liepa Media SIA")
    expect(page.locator("#filter-form")).to_be_visible()  # beside the list on a wide screen
    shot(page, "08-company-list-filtered")
    assert not watch.problems, watch.problems

    # 6. A rep of another team, in a separate browser, finds none of these customers.
    from rapport.accounts.models import ApiToken

    raw = ApiToken.issue(user=world.user("outsider"), name="script")[1]
    other_context: BrowserContext = browser.new_context()
    other = watch(other_context.new_page())
    try:
        sign_in(other, base, "outsider")
        hidden_companies = ["Ozols Logistics Ltd", *IMPORTED]
        other.goto(f"{base}/companies/?per_page=200")
        expect(other.locator("#record-list")).to_contain_text("Ozols Logistics SIA")  # their own
        for name in hidden_companies:
            expect(other.locator("#record-list")).not_to_contain_text(name)
        other.goto(f"{base}/people/?per_page=200")
        expect(other.locator("#record-list")).not_to_contain_text("Bērziņa")
        for term in ("Ozols", "Bērziņa", "anna@ozols-logistics.co.uk", "Liepa", "26 444 001"):
            with other.expect_response(lambda r, term=term: "/search/?q=" in r.url):
                other.fill("#global-search", term)
            results = other.locator("#search-results")
            for name in [*hidden_companies, "Anna Bērziņa"]:
                expect(results).not_to_contain_text(name)
        other.goto(f"{base}/search/?q=Ozols")
        expect(other.locator("main")).to_contain_text("Ozols Logistics SIA")
        expect(other.locator("main")).not_to_contain_text("Ozols Logistics Ltd")
        shot(other, "09-other-team-search")

        before = "2100-01-01T00:00:00%2B00:00"
        urls = [
            f"/companies/{company.pk}/",
            f"/companies/{company.pk}/edit/",
            f"/companies/{company.pk}/timeline/?before={before}",
            f"/companies/{company.pk}/history/",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            f"/people/{person.pk}/timeline/?before={before}",
            f"/people/{person.pk}/vcard/",
            f"/activities/{call.pk}/",
            f"/activities/{call.pk}/edit/",
            f"/activities/new/?person={person.pk}&kind=call",
            f"/jobs/{job.pk}/",
            *[f"/companies/{c.pk}/" for c in imported],
        ]
        for url in urls:
            not_found(other, base + url)
        shot(other, "10-other-team-404")

        api = other_context.request
        headers = {"Authorization": f"Bearer {raw}"}
        for resource, pk in (("companies", company.pk), ("people", person.pk)):
            response = api.get(f"{base}/api/v1/{resource}/{pk}/", headers=headers)
            assert response.status == 404, (resource, response.status)
        for c in imported:
            assert api.get(f"{base}/api/v1/companies/{c.pk}/", headers=headers).status == 404
        assert api.get(f"{base}/api/v1/activities/{call.pk}/", headers=headers).status == 404
        listing = api.get(f"{base}/api/v1/companies/?limit=200", headers=headers)
        assert listing.status == 200
        names = {row["name"] for row in listing.json()["results"]}
        assert "Ozols Logistics SIA" in names
        assert names.isdisjoint(hidden_companies)
        people = api.get(f"{base}/api/v1/people/?limit=200", headers=headers).json()
        assert person.pk not in {row["id"] for row in people["results"]}
        searched = api.get(f"{base}/api/v1/companies/?q=Ozols", headers=headers).json()
        assert {row["name"] for row in searched["results"]}.isdisjoint(hidden_companies)
        # The same API through the outsider's browser session.
        assert api.get(f"{base}/api/v1/companies/{company.pk}/").status == 404
    finally:
        other_context.close()
    assert not watch.problems, watch.problems


def test_company_list_and_card_work_on_a_phone(live_server, browser: Browser, watch):
    world = build_world()
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = watch(context.new_page())
    try:
        sign_in(page, base, "rep")
        nav = page.locator("#mainnav")
        toggler = page.locator("button.navbar-toggler")
        expect(toggler).to_be_visible()
        expect(nav).to_be_hidden()
        toggler.click()
        expect(nav).to_be_visible()
        expect(nav).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # finished opening
        expect(page.locator("#user-menu")).to_be_visible()
        shot(page, "11-phone-menu-open", full_page=False)
        nav.locator("a[href='/companies/']").click()

        table = page.locator("#record-list table")
        expect(table).to_be_visible()
        link = table.locator("a", has_text=world.companies["own"].name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] + box["width"] <= 390
        assert box["y"] + box["height"] <= 844, "the list is not on the first screen"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "12-phone-company-list")
        # The filters are folded away on a phone and open on demand.
        expect(page.locator("#filter-form")).to_be_hidden()
        page.locator("#filter-toggle").click()
        expect(page.locator("#list-filters")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        expect(page.locator("#filter-form")).to_be_visible()
        shot(page, "13-phone-company-filters", full_page=False)

        link.click()
        expect(page.locator("h1")).to_contain_text(world.companies["own"].name)
        expect(page.locator("#timeline")).to_contain_text("Call about own")
        expect(page.locator("a[href*='kind=call']")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "14-phone-company-card")
        # The menu still opens on the card page.
        page.locator("button.navbar-toggler").click()
        expect(page.locator("#mainnav a[href='/people/']")).to_be_visible()
    finally:
        context.close()
    assert not watch.problems, watch.problems


def choose_user(page, form: str, text: str, name: str) -> None:
    """Type into a user picker and choose a user, as a user does: see what was typed in the
    box, wait until the list has stopped loading and offers exactly that user (an earlier
    answer can redraw the list), choose, and see the choice in the box with the list closed
    (open, it can cover the form's button)."""
    page.locator(f"{form} .ts-control").first.click()
    # Typed once the list is open and its first users have come (as a user sees them): keys
    # pressed while Tom Select still sets the box up can be dropped on a busy machine.
    wrapper = page.locator(f"{form} .ts-wrapper").first
    expect(wrapper).to_have_class(
        re.compile(r"\bfocus\b.*\bdropdown-active\b|\bdropdown-active\b.*\bfocus\b")
    )
    expect(wrapper).to_have_class(re.compile(r"\bpreloaded\b"))
    expect(wrapper).not_to_have_class(re.compile(r"\bloading\b"))
    box = page.locator(f"{form} .ts-control input").first
    box.press_sequentially(text)
    expect(box).to_have_value(text)
    option = page.locator(f"{form} .ts-dropdown .option", has_text=name)
    expect(option).to_have_count(1)
    expect(page.locator(f"{form} .ts-wrapper.loading")).to_have_count(0)
    expect(page.locator(f"{form} .ts-dropdown .option")).to_have_count(1)
    option.click()
    expect(page.locator(f"{form} .ts-control .item")).to_have_text(name)
    expect(page.locator(f"{form} .ts-dropdown")).to_be_hidden()


def test_curator_pickers_load_users_as_you_type(live_server, browser: Browser, watch):
    """The curator filter and the bulk "assign curator" carry no option per user: opening them
    loads users from the server, typing narrows them, and the choice works."""
    world = build_world()
    foreign = world.companies["foreign"]
    base = live_server.url
    context = browser.new_context()
    page = watch(context.new_page())
    try:
        sign_in(page, base, "director")
        page.goto(f"{base}/companies/")
        choose_user(page, "#filter-form", "outsider", "Outsider Tester")
        page.locator("#filter-form button[type=submit]").click()
        rows = page.locator("#record-list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(foreign.name)
        shot(page, "21-curator-filter")
        # Hand the company to the rep through the bulk action's picker.
        rows.first.locator("input.row-select").check()
        choose_user(page, "#bulk-form", "rep tes", "Rep Tester")
        page.locator("#bulk-form button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("1 record updated.")
        foreign.refresh_from_db()
        assert foreign.curator == world.user("rep")
    finally:
        context.close()
    assert not watch.problems, watch.problems
