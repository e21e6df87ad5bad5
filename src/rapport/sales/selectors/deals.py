"""Reads of deals for a user: the board's columns and pages, a customer's deals, stage history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from rapport.sales.choices import DealStatus, StageKind
from rapport.sales.models import Deal, DealStageChange, Pipeline, Stage

# Won and lost columns show deals closed this many days ago at most (the rest is history).
RECENTLY_CLOSED_DAYS = 30
COLUMN_PAGE = 30
# What a card shows, read with the deal in one query.
CARD_RELATED = ("company", "person", "owner")


@dataclass
class Column:
    stage: Stage
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # currency -> sum

    @property
    def totals_display(self) -> list[tuple[str, Decimal]]:
        return sorted(self.totals.items())


def closed_cutoff(now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=RECENTLY_CLOSED_DAYS)


def board_queryset(user, pipeline: Pipeline) -> QuerySet:
    """The pipeline's deals the user may see (the won and lost columns narrow it further to the
    recently closed ones: ``closed_since``)."""
    return Deal.objects.restrict(user).filter(pipeline=pipeline)


def _shown(deals: QuerySet, *, is_open: bool, closed_since) -> QuerySet:
    # Open and closed deals are read apart: one "open OR closed recently" filter made
    # PostgreSQL scan the whole pipeline for the board's totals (bench: 40-135 ms), while each
    # half has its index (pipeline + status: 25 ms; status + closed_at: 5 ms).
    if is_open:
        return deals.filter(status=DealStatus.OPEN)
    closed = deals.filter(status__in=(DealStatus.WON, DealStatus.LOST))
    return closed if closed_since is None else closed.filter(closed_at__gte=closed_since)


def board_columns(pipeline: Pipeline, deals: QuerySet, *, closed_since=None) -> list[Column]:
    """One column per stage with its count and its totals per currency: one grouped query.

    Amounts of different currencies are not added up: a column shows one total per currency
    (converting needs rates of the day, which belongs to the forecast, not the board)."""
    columns = {stage.pk: Column(stage) for stage in pipeline.stages.order_by("position", "pk")}
    rows = [
        row
        for is_open in (True, False)
        for row in _shown(deals, is_open=is_open, closed_since=closed_since)
        .order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("pk"), total=Sum("amount"))
    ]
    for row in rows:
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        column.totals[row["currency"]] = row["total"] or Decimal(0)
    return list(columns.values())


def column_page(
    deals: QuerySet,
    stage: Stage,
    *,
    offset: int = 0,
    after: tuple[datetime.datetime, int] | None = None,
    limit: int = COLUMN_PAGE,
    closed_since=None,
) -> list:
    """One page of a column's cards, newest movers first, with what a card shows (in the order
    of the ``deal_stage_column`` index, so a page is read from it without sorting)."""
    shown = _shown(deals, is_open=stage.kind == StageKind.OPEN, closed_since=closed_since)
    shown = shown.filter(stage=stage)
    if after is not None:
        # "More" continues after the last card shown (the index range starts there, however
        # deep in the column), instead of counting ``offset`` cards from the top again.
        moved_at, pk = after
        shown = shown.filter(stage_changed_at__lte=moved_at).filter(
            Q(stage_changed_at__lt=moved_at) | Q(pk__gt=pk)
        )
        offset = 0
    return list(
        shown.select_related(*CARD_RELATED).order_by("-stage_changed_at", "id")[
            offset : offset + limit + 1
        ]
    )


def deals_for_company(user, company, *, limit: int = 20) -> list[Deal]:
    """The company's deals the user may see, newest first (for the company card)."""
    return list(
        Deal.objects.restrict(user)
        .filter(company=company)
        .select_related("stage", "pipeline", "owner")
        .order_by("-created_at", "-id")[:limit]
    )


def deals_for_person(user, person, *, limit: int = 20) -> list[Deal]:
    """The person's deals (as the customer or a contact) the user may see, newest first."""
    return list(
        Deal.objects.restrict(user)
        .filter(Q(person=person) | Q(contacts__person=person))
        .distinct()
        .select_related("stage", "pipeline", "owner")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class StageStay:
    stage: Stage
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    actor: object
    seconds: int

    @property
    def days(self) -> float:
        return round(self.seconds / 86400, 1)


def stage_history(deal: Deal) -> list[StageStay]:
    """Each stay of the deal in a stage, oldest first, with how long it lasted (so far)."""
    changes = list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("to_stage", "actor")
        .order_by("changed_at", "pk")
    )
    now = timezone.now()
    stays = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        left = following.changed_at if following else None
        if following and following.seconds_in_from_stage is not None:
            seconds = following.seconds_in_from_stage
        else:
            seconds = int(((left or now) - change.changed_at).total_seconds())
        stays.append(StageStay(change.to_stage, change.changed_at, left, change.actor, seconds))
    return stays


def time_per_stage(deal: Deal) -> list[tuple[Stage, int]]:
    """Total seconds spent in each stage of the deal's pipeline (in pipeline order)."""
    totals: dict[int, int] = {}
    for stay in stage_history(deal):
        totals[stay.stage.pk] = totals.get(stay.stage.pk, 0) + stay.seconds
    stages = deal.pipeline.stages.order_by("position", "pk")
    return [(s, totals[s.pk]) for s in stages if s.pk in totals]
