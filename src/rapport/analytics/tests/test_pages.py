"""The forecast and report pages, the XLSX export and the API: what a user sees, bad input."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rapport.analytics.reports import REPORTS
from rapport.analytics.tests import factories as f
from rapport.sales.models import Stage

TODAY = timezone.localdate()


@pytest.fixture
def data(world):
    _pipe, (first, _second, won, _lost) = f.pipeline(probabilities=(20, 50))
    keys = {"own": "rep", "team": "teammate", "foreign": "outsider"}
    for key, owner in keys.items():
        user, company = world.users[owner], world.companies[key]
        f.deal(stage=first, owner=user, company=company, amount="1000.00", expected=TODAY)
        f.deal(stage=won, owner=user, company=company, amount="400.00", closed=f.days_ago(2))
    return world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_forecast_page_shows_chart_table_and_the_method(data):
    response = client_for(data.users["rep"]).get(reverse("analytics:forecast"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="forecast-method"' in body and "24 months" in body
    assert "vendor/echarts/echarts.min.js" in body and "analytics/charts.js" in body
    chart = response.context["chart"]
    assert len(chart["categories"]) == 12
    assert '<script id="forecast-chart" type="application/json">' in body
    # Own + team open deals: 2 × 1000 × 20 %.
    assert response.context["grand_total"]["weighted"] == Decimal("400.00")


def test_forecast_page_loads_the_chart_language_file(data):
    rep = data.users["rep"]
    rep.language = "lv"
    rep.save(update_fields=["language"])
    client = client_for(rep)
    client.cookies["django_language"] = "lv"
    body = client.get(reverse("analytics:forecast"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "vendor/echarts/langLV.js" in body


def test_echarts_is_loaded_only_on_the_analytics_pages(data):
    body = client_for(data.users["rep"]).get(reverse("contacts:company_list")).content.decode()
    assert "echarts" not in body


def test_rep_sees_less_than_the_director(data):
    """The other team's deal amounts are not in a rep's forecast or reports."""
    rep, director = client_for(data.users["rep"]), client_for(data.users["director"])
    url = "/api/v1/forecast/?group_by=team"
    rep_totals = rep.get(url).json()["totals"]
    director_totals = director.get(url).json()["totals"]
    this_month = TODAY.replace(day=1).isoformat()
    rep_row = next(r for r in rep_totals if r["period"] == this_month)
    director_row = next(r for r in director_totals if r["period"] == this_month)
    assert Decimal(rep_row["weighted"]) == Decimal("400.00")
    assert Decimal(director_row["weighted"]) == Decimal("600.00")
    assert Decimal(rep_row["won"]) == Decimal("800.00")
    assert Decimal(director_row["won"]) == Decimal("1200.00")
    groups = {r["group"] for r in rep.get(url).json()["rows"]}
    assert groups == {"Team A"}
    rep_revenue = rep.get("/api/v1/reports/revenue-by-rep/").json()["rows"]
    assert {r["name"] for r in rep_revenue} == {"Rep Tester", "Teammate Tester"}
    page = rep.get(reverse("analytics:report", args=["customer-history"])).content.decode()
    assert "Own Customer SIA" in page and "Foreign Customer TOV" not in page


def test_marketer_gets_empty_reports_and_no_menu_entry(data):
    marketer = client_for(data.users["marketer"])
    assert marketer.get("/api/v1/reports/revenue-by-rep/").json()["rows"] == []
    page = marketer.get(reverse("analytics:report_index"))
    assert page.status_code == 200
    assert 'href="/analytics/reports/"' not in page.content.decode().split("<main")[0]
    rep_page = client_for(data.users["rep"]).get(reverse("web:home")).content.decode()
    assert 'href="/analytics/reports/"' in rep_page and "bi-graph-up" in rep_page


def test_report_index_lists_every_report(data):
    body = client_for(data.users["rep"]).get(reverse("analytics:report_index")).content.decode()
    for name in REPORTS:
        assert reverse("analytics:report", args=[name]) in body
    assert reverse("analytics:forecast") in body


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_page_and_api_answers(data, name):
    client = client_for(data.users["head"])
    page = client.get(reverse("analytics:report", args=[name]))
    assert page.status_code == 200
    assert 'id="report-table"' in page.content.decode()
    api = client.get(f"/api/v1/reports/{name}/")
    assert api.status_code == 200
    assert api.json()["name"] == name and api.json()["base_currency"] == "EUR"


def test_xlsx_export_has_the_rows(data):
    client = client_for(data.users["rep"])
    response = client.get(
        reverse("analytics:report", args=["revenue-by-rep"]),
        {
            "from": (TODAY - timedelta(days=30)).isoformat(),
            "to": TODAY.isoformat(),
            "format": "xlsx",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "revenue-by-rep-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("Rep", "Won deals", "Revenue")
    assert sorted(rows[1:]) == [("Rep Tester", 1, 400), ("Teammate Tester", 1, 400)]


def test_customer_history_drill_down_and_foreign_customer(data):
    client = client_for(data.users["rep"])
    url = reverse("analytics:report", args=["customer-history"])
    own, foreign = data.companies["own"], data.companies["foreign"]
    body = client.get(url).content.decode()
    assert f"company={own.pk}" in body  # a link to the drill-down
    drill = client.get(url, {"company": own.pk})
    assert drill.status_code == 200
    assert drill.context["company_label"] == "Own Customer SIA"
    assert len(drill.context["table"]) == 2  # the open and the won deal
    assert client.get(url, {"company": foreign.pk}).status_code == 404
    assert client.get(f"/api/v1/reports/customer-history/?company={foreign.pk}").status_code == 404


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2026-05-01", "to": "2026-01-01"}, "The start of the period is after its end."),
        ({"from": "yesterday"}, "Enter a date as YYYY-MM-DD."),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "at most five years"),
    ],
)
def test_bad_period_is_a_clear_error(data, params, message):
    client = client_for(data.users["rep"])
    for url in (reverse("analytics:forecast"), reverse("analytics:report", args=["win-rate"])):
        page = client.get(url, params)
        assert page.status_code == 200
        assert message in page.content.decode()
    api = client.get("/api/v1/forecast/", params)
    assert api.status_code == 400
    assert api.json()["code"] == "invalid"
    assert message in json.dumps(api.json())
    assert client.get("/api/v1/reports/win-rate/", params).status_code == 400


def test_bad_forecast_choices(data):
    client = client_for(data.users["rep"])
    assert client.get("/api/v1/forecast/", {"period": "week"}).status_code == 400
    assert client.get("/api/v1/forecast/", {"group_by": "planet"}).status_code == 400


def test_unknown_report_is_404(data):
    client = client_for(data.users["rep"])
    assert client.get(reverse("analytics:report", args=["no-such-report"])).status_code == 404
    assert client.get("/api/v1/reports/no-such-report/").status_code == 404


def test_missing_exchange_rate_is_explained(data):
    stage = Stage.objects.get(name="Stage 1")
    f.deal(
        stage=stage,
        owner=data.users["rep"],
        company=data.companies["own"],
        currency="UAH",
        expected=TODAY,
    )
    client = client_for(data.users["rep"])
    page = client.get(reverse("analytics:forecast")).content.decode()
    assert "There is no exchange rate to EUR for UAH" in page
    api = client.get("/api/v1/forecast/")
    assert api.status_code == 400
    assert api.json()["code"] == "missing_exchange_rate" and "UAH" in api.json()["detail"]
    report = client.get(reverse("analytics:report", args=["pipeline-by-stage"]))
    assert "UAH" in report.content.decode()
    # A rate from before the deal's date makes it convertible.
    f.rate("UAH", date(2000, 1, 1), "0.02500000")
    assert client.get("/api/v1/forecast/").status_code == 200


def test_quarters_in_the_api(data):
    client = client_for(data.users["director"])
    body = client.get(
        "/api/v1/forecast/",
        {"period": "quarter", "from": f"{TODAY.year}-01-01", "to": f"{TODAY.year}-12-31"},
    ).json()
    assert [t["label"] for t in body["totals"]] == [f"Q{q} {TODAY.year}" for q in (1, 2, 3, 4)]
    assert sum(Decimal(t["won"]) for t in body["totals"]) == Decimal("1200.00")


def test_numbers_are_formatted_for_the_language(data):
    client = client_for(data.users["director"])
    body = client.get(reverse("analytics:forecast"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "3\xa0000,00" in body  # the open amount of the three deals, Latvian style
    report = client.get(
        reverse("analytics:report", args=["revenue-by-team"]), HTTP_ACCEPT_LANGUAGE="lv"
    )
    assert "800,00" in report.content.decode()


def test_a_long_report_page_is_cut_but_the_export_is_whole(data, monkeypatch):
    from rapport.analytics import views

    monkeypatch.setattr(views, "PAGE_ROWS", 1)
    client = client_for(data.users["director"])
    url = reverse("analytics:report", args=["revenue-by-rep"])
    page = client.get(url)
    assert len(page.context["table"]) == 1
    assert "The first 1 of 3 rows" in page.content.decode()
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    assert len(list(sheet.values)) == 4
