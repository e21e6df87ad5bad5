"""Forecast math on a small hand-made dataset."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.analytics import periods
from rapport.analytics.forecast import build_forecast
from rapport.analytics.tests import factories as f
from rapport.catalog.rates import MissingExchangeRate

TODAY = timezone.localdate()
YEAR = (date(TODAY.year, 1, 1), date(TODAY.year, 12, 31))


def _by_period(forecast, name):
    return {row["period"]: row[name] for row in forecast.totals()}


@pytest.fixture
def sales(world):
    pipe, stages = f.pipeline(probabilities=(20, 50))
    return pipe, stages


def test_weighted_pipeline_uses_override_stage_probability_and_exchange_rate(world, sales):
    _pipe, (first, second, _won, _lost) = sales
    rep, company = world.users["rep"], world.companies["own"]
    f.rate("USD", date(2000, 1, 1), "0.90000000")
    f.rate("USD", TODAY + timedelta(days=400), "2.00000000")  # not valid yet: not used
    jan, feb = date(TODAY.year, 1, 15), date(TODAY.year, 2, 10)
    f.deal(stage=first, owner=rep, company=company, amount="1000.00", expected=jan)
    f.deal(stage=first, owner=rep, company=company, amount="500.00", expected=jan, probability=80)
    f.deal(stage=second, owner=rep, company=company, amount="1000.00", currency="USD", expected=feb)
    # Outside the range, and closed: not in the weighted pipeline.
    f.deal(stage=first, owner=rep, company=company, expected=date(TODAY.year + 1, 1, 5))
    forecast = build_forecast(rep, start=YEAR[0], end=YEAR[1])
    weighted = _by_period(forecast, "weighted")
    assert weighted[jan.replace(day=1).isoformat()] == Decimal("600.00")  # 200 + 400
    assert weighted[feb.replace(day=1).isoformat()] == Decimal("450.00")  # 1000 × 0.9 × 50 %
    pipeline = _by_period(forecast, "pipeline")
    assert pipeline[feb.replace(day=1).isoformat()] == Decimal("900.00")
    assert forecast.grand_total()["weighted"] == Decimal("1050.00")

    quarters = build_forecast(rep, start=YEAR[0], end=YEAR[1], period=periods.QUARTER)
    assert [r["period"] for r in quarters.totals()] == [
        date(TODAY.year, m, 1).isoformat() for m in (1, 4, 7, 10)
    ]
    assert quarters.totals()[0]["weighted"] == Decimal("1050.00")
    assert quarters.totals()[0]["label"] == f"Q1 {TODAY.year}"


def test_missing_exchange_rate_names_the_currency(world, sales):
    _pipe, (first, *_rest) = sales
    rep = world.users["rep"]
    f.deal(
        stage=first,
        owner=rep,
        company=world.companies["own"],
        currency="PLN",
        expected=YEAR[0] + timedelta(days=40),
    )
    with pytest.raises(MissingExchangeRate) as error:
        build_forecast(rep, start=YEAR[0], end=YEAR[1])
    assert "PLN" in str(error.value.message)


def test_history_forecast_uses_the_learned_win_rate_and_cycle(world, sales):
    _pipe, (first, _second, won, lost) = sales
    rep, company = world.users["rep"], world.companies["own"]
    # 10 closed deals of the rep went through stage 1: 4 won, 6 lost; each closed 30 days after
    # entering the stage.
    for i in range(10):
        f.closed_deal(
            through=first,
            to=won if i < 4 else lost,
            owner=rep,
            company=company,
            entered=f.days_ago(100),
            left=f.days_ago(70),
        )
    entered = timezone.now() - timedelta(days=1)
    common = {"company": company, "expected": None, "stage_since": entered}
    # The rep's own history (10 deals) for the rep's deal in stage 1 ...
    f.deal(stage=first, owner=rep, amount="1000.00", **common)
    # ... the stage's history for a teammate who closed nothing there ...
    f.deal(stage=first, owner=world.users["teammate"], amount="500.00", **common)
    # ... and the pipeline's for stage 2, which no closed deal went through.
    f.deal(stage=_second, owner=rep, amount="1000.00", **common)
    forecast = build_forecast(rep, start=YEAR[0], end=YEAR[1] + timedelta(days=365))
    expected_key = periods.period_key(entered + timedelta(days=30)).isoformat()
    history = _by_period(forecast, "history")
    assert history[expected_key] == Decimal("1000.00")  # (1000 + 500 + 1000) × 40 %
    assert sum(history.values()) == Decimal("1000.00")
    assert forecast.method_levels == {"owner": 1, "stage": 1, "pipeline": 1}
    # The weighted pipeline knows nothing of these deals: they have no expected close date.
    assert forecast.grand_total()["weighted"] == Decimal("0.00")
    # Actual won revenue of the past is there to compare with (4 × 100 seventy days ago).
    won_total = build_forecast(rep, start=TODAY - timedelta(days=365), end=TODAY).grand_total()[
        "won"
    ]
    assert won_total == Decimal("400.00")


def test_history_falls_back_to_the_stage_probability_without_history(world, sales):
    _pipe, (first, *_rest) = sales
    rep = world.users["rep"]
    when = TODAY + timedelta(days=1)
    f.deal(stage=first, owner=rep, company=world.companies["own"], amount="300.00", expected=when)
    forecast = build_forecast(rep, start=TODAY, end=TODAY + timedelta(days=60))
    assert _by_period(forecast, "history")[periods.period_key(when).isoformat()] == Decimal("60.00")


def test_group_by_owner_and_scope(world, sales):
    _pipe, (first, *_rest) = sales
    jan = date(TODAY.year, 1, 20)
    for key, owner in (("own", "rep"), ("team", "teammate"), ("foreign", "outsider")):
        f.deal(
            stage=first,
            owner=world.users[owner],
            company=world.companies[key],
            amount="1000.00",
            expected=jan,
        )
    rep_view = build_forecast(world.users["rep"], start=YEAR[0], end=YEAR[1], group_by="owner")
    director_view = build_forecast(
        world.users["director"], start=YEAR[0], end=YEAR[1], group_by="owner"
    )
    assert rep_view.grand_total()["weighted"] == Decimal("400.00")  # own + team deal
    assert director_view.grand_total()["weighted"] == Decimal("600.00")
    assert sorted(rep_view.groups.values()) == ["Rep Tester", "Teammate Tester"]
    assert "Outsider Tester" in director_view.groups.values()
    rows = [r for r in rep_view.rows() if r["weighted"]]
    assert {r["group"]: r["weighted"] for r in rows} == {
        "Rep Tester": Decimal("200.00"),
        "Teammate Tester": Decimal("200.00"),
    }


def test_history_and_stage_probability_side_by_side_per_rep(world, sales):
    """A stage with history forecasts from it for every rep (none has 10 deals of their own); a
    pipeline without any history counts its deals with the stage probability on their date."""
    _pipe, (first, _second, won, lost) = sales
    _other, (request, *_rest) = f.pipeline(name="Equipment", probabilities=(10,))
    director, company = world.users["director"], world.companies["own"]
    rep, teammate = world.users["rep"], world.users["teammate"]
    # 5 closed deals went through stage 1, 2 of them won, 20 days after entering it.
    for i in range(5):
        f.closed_deal(
            through=first,
            to=won if i < 2 else lost,
            owner=rep,
            company=company,
            entered=f.days_ago(100),
            left=f.days_ago(80),
        )
    entered = timezone.now() - timedelta(days=1)
    common = {"company": company, "expected": None, "stage_since": entered}
    f.deal(stage=first, owner=rep, amount="1000.00", **common)
    f.deal(stage=first, owner=teammate, amount="500.00", **common)
    when = TODAY + timedelta(days=3)
    f.deal(stage=request, owner=teammate, company=company, amount="700.00", expected=when)

    forecast = build_forecast(
        director, start=TODAY, end=TODAY + timedelta(days=365), group_by="owner"
    )
    learned = periods.period_key(entered + timedelta(days=20))
    assert forecast.value(learned, rep.pk, "history") == Decimal("400")  # 1000 × 2/5
    stage_rate = periods.period_key(when)
    expected_teammate = {learned: Decimal("200")}  # 500 × 2/5
    expected_teammate[stage_rate] = expected_teammate.get(stage_rate, 0) + Decimal("70")
    for key, value in expected_teammate.items():
        assert forecast.value(key, teammate.pk, "history") == value
    assert forecast.grand_total()["history"] == Decimal("670.00")
    assert forecast.method_levels == {"stage": 1}
