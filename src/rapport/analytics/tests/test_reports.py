"""Each report's rows on a hand-made dataset, as a rep and as a director."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from rapport.accounts.models import Territory
from rapport.analytics import periods
from rapport.analytics.reports import REPORTS, Context
from rapport.analytics.tests import factories as f
from rapport.catalog.rates import MissingExchangeRate, RateTable
from rapport.sales.models import Stage


@pytest.fixture
def data(world):
    """Own and team deals the rep sees, a foreign one only the director sees; orders likewise."""
    _pipe, (first, second, won, lost) = f.pipeline(probabilities=(20, 50))
    rep, mate, outsider = (world.users[k] for k in ("rep", "teammate", "outsider"))
    own, team, foreign = (world.companies[k] for k in ("own", "team", "foreign"))
    baltics = Territory.objects.create(name="Baltics")
    own.__class__.objects.filter(pk=own.pk).update(territory=baltics)
    f.rate("USD", date(2000, 1, 1), "0.50000000")
    f.deal(stage=first, owner=rep, company=own, amount="1000.00")
    f.deal(stage=second, owner=mate, company=team, amount="2000.00")
    f.deal(
        stage=won,
        owner=rep,
        company=own,
        amount="500.00",
        source="referral",
        created=f.days_ago(40),
        closed=f.days_ago(10),
        name="Big win",
    )
    f.deal(
        stage=won,
        owner=rep,
        company=own,
        amount="300.00",
        currency="USD",
        source="web_form",
        created=f.days_ago(30),
        closed=f.days_ago(10),
    )
    f.deal(
        stage=lost,
        owner=mate,
        company=team,
        amount="700.00",
        created=f.days_ago(20),
        closed=f.days_ago(5),
    )
    f.deal(
        stage=won,
        owner=outsider,
        company=foreign,
        amount="10000.00",
        created=f.days_ago(20),
        closed=f.days_ago(5),
    )
    widget, service = f.product("Widget"), f.product("Setup service")
    today = timezone.localdate()
    f.order(
        owner=rep,
        company=own,
        ordered_on=today - timedelta(days=3),
        lines=[(widget, "2", "100.00", "10", "30.00"), (service, "1", "50.00", "0", "20.00")],
    )
    f.order(
        owner=rep,
        company=own,
        ordered_on=today - timedelta(days=3),
        lines=[(widget, "100", "100.00", "0", "30.00")],
        status="cancelled",
    )
    f.order(
        owner=outsider,
        company=foreign,
        ordered_on=today - timedelta(days=2),
        lines=[(widget, "10", "100.00", "0", "30.00")],
    )
    return world


def run(name, user, **kwargs):
    start, end = periods.last_twelve_months()
    ctx = Context(user=user, start=start, end=end, rates=RateTable.load(), **kwargs)
    return REPORTS[name].build(ctx)


def test_pipeline_by_stage(data):
    rows = run("pipeline-by-stage", data.users["rep"]).rows
    assert [(r["stage"], r["count"], r["amount"], r["weighted"]) for r in rows] == [
        ("Stage 1", 1, Decimal("1000.00"), Decimal("200.00")),
        ("Stage 2", 1, Decimal("2000.00"), Decimal("1000.00")),
        ("Won", 2, Decimal("650.00"), Decimal("650.00")),  # 500 + 300 USD × 0.5
        ("Lost", 1, Decimal("700.00"), Decimal("0.00")),
    ]


def test_win_rate_by_owner_and_month(data):
    result = run("win-rate", data.users["rep"])
    by_owner = {r["owner"]: r for r in result.rows}
    assert set(by_owner) == {"Rep Tester", "Teammate Tester"}
    assert by_owner["Rep Tester"]["won"] == 2 and by_owner["Rep Tester"]["win_rate"] == 100
    assert by_owner["Rep Tester"]["revenue"] == Decimal("650.00")
    assert by_owner["Teammate Tester"]["lost"] == 1 and by_owner["Teammate Tester"]["win_rate"] == 0
    assert result.chart["type"] == "line" and len(result.chart["categories"]) == 12


def test_sales_cycle(data):
    rows = run("sales-cycle", data.users["rep"]).rows
    assert rows == [
        {"pipeline": "New business", "owner": "Rep Tester", "deals": 2, "days": Decimal("25.0")}
    ]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("revenue-by-rep", {"Rep Tester": Decimal("650.00")}),
        ("revenue-by-team", {"Team A": Decimal("650.00")}),
        ("revenue-by-territory", {"Baltics": Decimal("650.00")}),
        ("revenue-by-source", {"referral": Decimal("500.00"), "web form": Decimal("150.00")}),
    ],
)
def test_revenue_by(data, name, expected):
    rows = run(name, data.users["rep"]).rows
    assert {r["name"]: r["revenue"] for r in rows} == expected


def test_revenue_by_rep_for_the_director_includes_every_team(data):
    rows = run("revenue-by-rep", data.users["director"]).rows
    assert {r["name"]: r["revenue"] for r in rows} == {
        "Outsider Tester": Decimal("10000.00"),
        "Rep Tester": Decimal("650.00"),
    }


def test_revenue_by_product_skips_cancelled_orders(data):
    rows = run("revenue-by-product", data.users["rep"]).rows
    assert [(r["name"], r["quantity"], r["revenue"]) for r in rows] == [
        ("Widget", Decimal("2.000"), Decimal("180.00")),
        ("Setup service", Decimal("1.000"), Decimal("50.00")),
    ]


def test_profit_and_loss(data):
    rows = run("profit-and-loss", data.users["rep"]).rows
    assert rows == [
        {
            "company": "Own Customer SIA",
            "orders": 1,
            "gross": Decimal("250.00"),
            "discounts": Decimal("20.00"),
            "net": Decimal("230.00"),
            "cost": Decimal("80.00"),  # 2 × 30 + 1 × 20
            "profit": Decimal("150.00"),
            "margin": Decimal("65.2"),
        }
    ]


def test_customer_history_top_and_drill_down(data):
    rep = data.users["rep"]
    top = run("customer-history", rep).rows
    assert [(r["company"], r["deals"], r["revenue"]) for r in top] == [
        ("Own Customer SIA", 2, Decimal("650.00"))
    ]
    own = data.companies["own"]
    one = run("customer-history", rep, company=own.pk)
    assert sorted(r["status"] for r in one.rows) == ["open", "won", "won"]
    assert "Own Customer SIA" in one.note
    with pytest.raises(Http404):
        run("customer-history", rep, company=data.companies["foreign"].pk)


def test_missing_rate_in_a_report_names_the_currency(data):
    f.deal(
        stage=Stage.objects.get(name="Won"),
        owner=data.users["rep"],
        company=data.companies["own"],
        currency="GBP",
        closed=f.days_ago(1),
    )
    with pytest.raises(MissingExchangeRate) as error:
        run("revenue-by-rep", data.users["rep"])
    assert "GBP" in str(error.value.message)
