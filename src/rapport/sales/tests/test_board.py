"""The board: headers with totals per currency, lazily loaded columns, moves by htmx."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rapport.sales.models import Deal, DealStageChange
from rapport.sales.selectors.deals import COLUMN_PAGE
from rapport.sales.tests.deals_factories import make_deal, make_pipeline, make_reason, stage

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pipeline(world):
    return make_pipeline(world.user("admin"), noun="project", plural="projects")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_board_headers_show_counts_and_totals_per_currency(world, pipeline):
    rep = world.user("rep")
    own = world.companies["own"]
    make_deal(rep, pipeline, own, amount="1000")
    make_deal(rep, pipeline, own, amount="250.50")
    make_deal(rep, pipeline, own, amount="300", currency="USD")
    make_deal(world.user("outsider"), pipeline, world.companies["foreign"], amount="99999")
    response = _client(rep).get(reverse("sales:board", args=[pipeline.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "board of projects" in body and "New project" in body
    head = body.split(f'id="col-head-{stage(pipeline, "Qualification").pk}"')[1].split("</header>")[
        0
    ]
    assert "data-count" in head and ">3<" in head
    assert "1,250.50 EUR" in head and "300.00 USD" in head
    assert "99,999" not in body  # the outsider's deal is not in the rep's totals


def test_board_first_paint_is_a_fixed_number_of_queries(world, pipeline):
    rep = world.user("rep")
    client = _client(rep)
    url = reverse("sales:board", args=[pipeline.pk])
    make_deal(rep, pipeline, world.companies["own"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        make_deal(rep, pipeline, world.companies["own"], name=f"More {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_column_pages_load_lazily_without_a_query_per_card(world, pipeline):
    rep = world.user("rep")
    for i in range(COLUMN_PAGE + 5):
        make_deal(
            rep, pipeline, world.companies["own"], name=f"Deal {i:02}", person=world.people["own"]
        )
    client = _client(rep)
    url = reverse("sales:board_column", args=[stage(pipeline, "Qualification").pk])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).content.decode()
    assert first.count('class="deal-card') == COLUMN_PAGE
    assert "board-more" in first and "after=" in first
    assert len(queries) < 12
    # "More" continues after the last card shown: every card once, in order.
    more = re.search(r'class="[^"]*board-more[^"]*" hx-get="([^"]+)"', first).group(1)
    rest = client.get(more.replace("&amp;", "&")).content.decode()
    assert rest.count('class="deal-card') == 5 and "board-more" not in rest
    names = re.findall(r"Deal \d\d", first + rest)
    assert len(names) == len(set(names)) == COLUMN_PAGE + 5
    # A malformed position starts the column from the top instead of failing.
    for bad in ("x", "2026-01-01|1", "2026-01-01T00:00:00+00:00|99999999999999999999"):
        assert client.get(url, {"after": bad}).status_code == 200
    assert "Own Customer SIA" in first and "Ownfirst Ownlast" in first


def test_won_and_lost_columns_show_recent_closures(world, pipeline):
    rep = world.user("rep")
    recent = make_deal(rep, pipeline, world.companies["own"], name="Recent win")
    old = make_deal(rep, pipeline, world.companies["own"], name="Old win")
    won = stage(pipeline, "Won")
    client = _client(rep)
    for deal in (recent, old):
        client.post(reverse("sales:deal_move", args=[deal.pk]), {"stage": won.pk})
    Deal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=90))
    column = reverse("sales:board_column", args=[won.pk])
    body = client.get(column).content.decode()
    assert "Recent win" in body and "Old win" not in body
    body = client.get(column + "?all_closed=1").content.decode()
    assert "Old win" in body
    # The column's header counts the same deals as its cards.
    board = reverse("sales:board", args=[pipeline.pk])
    for query, count in (("", "1"), ("?all_closed=1", "2")):
        page = client.get(board + query).content.decode()
        head = page[page.index(f'id="col-head-{won.pk}"') :]
        assert re.search(r"data-count[^>]*>(\d+)<", head).group(1) == count, query


def test_filters_by_owner_and_close_date(world, pipeline):
    own = world.companies["own"]
    make_deal(
        world.user("rep"),
        pipeline,
        own,
        name="Rep soon",
        expected_close_date=datetime.date(2026, 1, 10),
    )
    make_deal(
        world.user("teammate"),
        pipeline,
        world.companies["team"],
        name="Mate later",
        expected_close_date=datetime.date(2026, 6, 1),
    )
    client = _client(world.user("rep"))
    column = reverse("sales:board_column", args=[stage(pipeline, "Qualification").pk])
    body = client.get(column + f"?owner={world.user('teammate').pk}").content.decode()
    assert "Mate later" in body and "Rep soon" not in body
    body = client.get(column + "?close_before=2026-02-01").content.decode()
    assert "Rep soon" in body and "Mate later" not in body
    board = client.get(reverse("sales:board", args=[pipeline.pk]) + "?close_after=2026-03-01")
    assert "close_after=2026-03-01" in board.content.decode()  # the columns load with the filter


def test_htmx_move_returns_the_card_and_both_headers(world, pipeline):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"], amount="500")
    proposal = stage(pipeline, "Proposal")
    response = _client(rep).post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": proposal.pk, "version": '"stale"'[:0]},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="deal-{deal.pk}"' in body
    assert f'id="col-head-{proposal.pk}" hx-swap-oob="true"' in body
    assert "500.00 EUR" in body
    assert Deal.objects.get(pk=deal.pk).stage == proposal


@pytest.mark.parametrize("language", ["en", "lv"])
def test_htmx_move_errors_are_translated_and_change_nothing(world, pipeline, language):
    rep = world.user("rep")
    deal = make_deal(rep, pipeline, world.companies["own"])
    other = make_pipeline(world.user("admin"), name="Renewals")
    client = _client(rep)
    url = reverse("sales:deal_move", args=[deal.pk])
    before = DealStageChange.objects.count()
    headers = {**HTMX, "HTTP_ACCEPT_LANGUAGE": language}
    wrong = client.post(url, {"stage": stage(other, "Proposal").pk}, **headers)
    lost = client.post(url, {"stage": stage(pipeline, "Lost").pk}, **headers)
    stale = client.post(
        url, {"stage": stage(pipeline, "Proposal").pk, "version": '"1-1"'}, **headers
    )
    assert (wrong.status_code, lost.status_code, stale.status_code) == (422, 422, 422)
    if language == "en":
        assert "belongs to the pipeline “Renewals”" in wrong.content.decode()
        assert "choose a reason" in lost.content.decode()
        assert "Someone else changed" in stale.content.decode()
    assert DealStageChange.objects.count() == before
    assert Deal.objects.get(pk=deal.pk).stage.name == "Qualification"


def test_htmx_move_to_lost_with_a_reason(world, pipeline):
    rep = world.user("rep")
    reason = make_reason(world.user("admin"))
    deal = make_deal(rep, pipeline, world.companies["own"])
    response = _client(rep).post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": stage(pipeline, "Lost").pk, "lost_reason": reason.pk, "lost_note": "budget"},
        **HTMX,
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.lost_reason == reason and deal.closed_at


def test_auditor_sees_the_board_but_cannot_move(world, pipeline):
    deal = make_deal(world.user("rep"), pipeline, world.companies["own"], amount=str(Decimal(10)))
    client = _client(world.user("auditor"))
    board = client.get(reverse("sales:board", args=[pipeline.pk])).content.decode()
    assert "disabled: true" in board and "board-new" not in board
    response = client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stage(pipeline, "Proposal").pk}
    )
    assert response.status_code == 404
