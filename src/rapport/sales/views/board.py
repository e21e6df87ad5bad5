"""The kanban board of a pipeline: column headers with totals, lazily loaded cards, moves."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from rapport.core import scoping
from rapport.core.errors import DomainError
from rapport.core.filtering import asks_to_filter
from rapport.core.services import etag_for
from rapport.core.views import ScopedMixin, WriterRequiredMixin
from rapport.sales.filtersets.deals import BoardFilterSet
from rapport.sales.forms.deals import MoveForm
from rapport.sales.models import Deal, LostReason, Pipeline, Stage
from rapport.sales.selectors.deals import (
    COLUMN_PAGE,
    RECENTLY_CLOSED_DAYS,
    board_columns,
    board_queryset,
    closed_cutoff,
    column_page,
)
from rapport.sales.services.deals import deal_move

# Board filters travel in the query string of every request the board makes.
FILTER_PARAMS = ("owner", "team", "close_after", "close_before", "q", "all_closed")


def deal_nouns(pipeline: Pipeline | None) -> tuple[str, str]:
    """What this pipeline calls a deal, and deals (H6)."""
    if pipeline is None:
        return _("deal"), _("deals")
    singular = pipeline.deal_noun or _("deal")
    return singular, pipeline.deal_noun_plural or pipeline.deal_noun or _("deals")


def filter_query(params) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, params[k]) for k in FILTER_PARAMS if params.get(k)])


def closed_since(params):
    """Won and lost columns show the deals closed in the last days, unless asked for all."""
    return None if params.get("all_closed") else closed_cutoff()


def filtered_deals(request, pipeline: Pipeline, params=None):
    """The board's deals for this request: scope, pipeline, recent closures, filters."""
    params = request.GET if params is None else params
    deals = board_queryset(request.user, pipeline)
    filterset = BoardFilterSet(
        params if asks_to_filter(BoardFilterSet, params) else None,
        queryset=deals,
        request=request,
    )
    if filterset.is_bound:
        deals = filterset.qs if filterset.is_valid() else deals.none()
    return deals, filterset


class BoardRedirectView(ScopedMixin, View):
    """ "The board": the first active pipeline's."""

    model = Pipeline

    def get(self, request):
        pipeline = Pipeline.objects.filter(is_active=True).first() or Pipeline.objects.first()
        if pipeline is None:
            messages.info(request, _("No pipeline yet: an administrator creates them."))
            return redirect("sales:deal_list")
        return redirect("sales:board", pk=pipeline.pk)


class BoardView(ScopedMixin, TemplateView):
    """Column headers with counts and totals (one grouped query); cards load per column."""

    model = Pipeline
    template_name = "sales/board.html"

    def get_context_data(self, **kwargs):
        pipeline = self.get_scoped_object()
        deals, filterset = filtered_deals(self.request, pipeline)
        noun, plural = deal_nouns(pipeline)
        return {
            **super().get_context_data(**kwargs),
            "pipeline": pipeline,
            "pipelines": Pipeline.objects.filter(is_active=True),
            "columns": board_columns(pipeline, deals, closed_since=closed_since(self.request.GET)),
            "filter": filterset,
            "query": filter_query(self.request.GET),
            "noun": noun,
            "noun_plural": plural,
            "recent_days": RECENTLY_CLOSED_DAYS,
            "all_closed": bool(self.request.GET.get("all_closed")),
            "lost_reasons": LostReason.objects.filter(is_active=True),
            "can_write": scoping.may_write(self.request.user),
        }


def parse_after(value: str):
    """The last card of the previous page, as "<moved at ISO time>|<id>" (None if malformed:
    the column then starts from the top)."""
    moved_at, _sep, pk = value.partition("|")
    try:
        when, number = datetime.datetime.fromisoformat(moved_at), int(pk)
    except ValueError:
        return None
    return (when, number) if timezone.is_aware(when) and 0 < number < 2**63 else None


def render_cards(request, stage: Stage, deals, offset: int = 0, after=None) -> str:
    cards = column_page(
        deals, stage, offset=offset, after=after, closed_since=closed_since(request.GET)
    )
    more = len(cards) > COLUMN_PAGE
    query = filter_query(request.GET)
    next_url = ""
    if more:
        last = cards[COLUMN_PAGE - 1]
        position = urlencode({"after": f"{last.stage_changed_at.isoformat()}|{last.pk}"})
        next_url = f"{reverse('sales:board_column', args=[stage.pk])}?{position}" + (
            f"&{query}" if query else ""
        )
    return render_to_string(
        "sales/board_cards.html",
        {
            "cards": [(deal, etag_for(deal)) for deal in cards[:COLUMN_PAGE]],
            "more": more,
            "next_url": next_url,
            "query": query,
            "can_write": scoping.may_write(request.user),
        },
        request=request,
    )


class BoardColumnView(ScopedMixin, View):
    """One page of a column's cards (htmx, on load and when "more" is revealed)."""

    model = Stage

    def get(self, request, pk):
        stage = Stage.objects.select_related("pipeline").filter(pk=pk).first()
        if stage is None:
            raise Http404
        try:
            offset = max(int(request.GET.get("offset", 0)), 0)
        except ValueError:
            offset = 0
        deals, _filterset = filtered_deals(request, stage.pipeline)
        after = parse_after(request.GET.get("after", ""))
        return HttpResponse(render_cards(request, stage, deals, offset, after))


class DealMoveView(WriterRequiredMixin, ScopedMixin, View):
    """Move a deal to another stage: from the board (htmx: the card and the two column headers
    come back) or from the deal's page (a redirect)."""

    model = Deal
    action = scoping.CHANGE

    def fail(self, request, deal, message: str):
        if request.htmx:
            response = HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
            return response
        messages.error(request, message)
        return redirect(deal.get_absolute_url())

    def post(self, request, pk):
        deal = self.get_scoped_object()
        form = MoveForm(request.POST)
        if not form.is_valid():
            errors = [str(e) for errors in form.errors.values() for e in errors]
            return self.fail(request, deal, " ".join(errors))
        old_stage_id = deal.stage_id
        try:
            deal = deal_move(
                actor=request.user,
                deal=deal,
                stage=form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
                lost_note=form.cleaned_data["lost_note"],
                if_match=form.cleaned_data["version"] or None,
            )
        except ValidationError as exc:
            return self.fail(request, deal, " ".join(exc.messages))
        except DomainError as exc:
            return self.fail(request, deal, str(exc.message))
        if not request.htmx:
            messages.success(request, _("Moved to “%(stage)s”.") % {"stage": deal.stage.name})
            return redirect(deal.get_absolute_url())
        deal = Deal.objects.select_related("company", "person", "owner", "pipeline").get(pk=pk)
        deals, _filterset = filtered_deals(request, deal.pipeline)
        changed = {old_stage_id, deal.stage_id}
        columns = [
            c
            for c in board_columns(deal.pipeline, deals, closed_since=closed_since(request.GET))
            if c.stage.pk in changed
        ]
        return HttpResponse(
            render_to_string(
                "sales/board_moved.html",
                {
                    "deal": deal,
                    "version": etag_for(deal),
                    "columns": columns,
                    "can_write": True,
                    "query": filter_query(request.GET),
                    "recent_days": RECENTLY_CLOSED_DAYS,
                    "all_closed": bool(request.GET.get("all_closed")),
                },
                request=request,
            )
        )
