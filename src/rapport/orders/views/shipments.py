"""Shipments: the list, planning one from an order, the shipment card, shipping (which takes the
goods out of stock), delivering, cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.catalog.stock import counted_level
from rapport.core import scoping
from rapport.core.errors import DomainError, ValidationError
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.orders import selectors
from rapport.orders.choices import SHIPMENT_MOVES, ShipmentStatus
from rapport.orders.filtersets.documents import SHIPMENT_SORTS, ShipmentFilterSet
from rapport.orders.forms.documents import ShipmentCreateForm
from rapport.orders.models import Order, Shipment, ShipmentLine
from rapport.orders.services.shipments import (
    shipment_cancel,
    shipment_create,
    shipment_deliver,
    shipment_ship,
)
from rapport.orders.views.orders import can_change, error_message

MOVES = {
    "ship": (ShipmentStatus.SHIPPED, shipment_ship),
    "deliver": (ShipmentStatus.DELIVERED, shipment_deliver),
    "cancel": (ShipmentStatus.CANCELLED, shipment_cancel),
}


class ShipmentListView(FilteredListMixin, TemplateView):
    """Shipments in the user's scope: what is planned, on its way, delivered."""

    model = Shipment
    filterset_class = ShipmentFilterSet
    sort_fields = SHIPMENT_SORTS
    default_sort = "-created"
    template_name = "orders/shipment_list.html"

    def scoped_queryset(self, action=None):
        # The page's lines and their descriptions in two queries, whatever the page size.
        lines = ShipmentLine.objects.select_related("order_line").order_by("pk")
        return (
            super()
            .scoped_queryset(action)
            .select_related("order", "order__company")
            .prefetch_related(Prefetch("lines", queryset=lines))
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "page": self.page(),
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
            "query_without_page": self.query_without("page"),
        }


class ShipmentCreateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """A shipment of the order ``pk``: the quantities to send, prefilled with what is left."""

    model = Order
    action = scoping.CHANGE
    template_name = "orders/shipment_form.html"

    def form(self, order, data=None):
        initial = {"address": str(order.company.addresses.first() or "") if order.company else ""}
        return ShipmentCreateForm(
            data,
            initial=initial,
            order_lines=order.lines.all(),
            remaining=lambda line: line.quantity - line.quantity_shipped,
        )

    def get(self, request, pk):
        order = self.get_scoped_object()
        return self.render_to_response({"order": order, "form": self.form(order)})

    def post(self, request, pk):
        order = self.get_scoped_object()
        form = self.form(order, request.POST)
        if form.is_valid():
            try:
                shipment = shipment_create(
                    actor=request.user, order=order, lines=form.lines(), **form.details()
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Shipment planned."))
                return redirect(shipment.get_absolute_url())
        return self.render_to_response({"order": order, "form": form}, status=422)


class ShipmentDetailView(ScopedMixin, TemplateView):
    model = Shipment
    template_name = "orders/shipment_detail.html"

    def get_context_data(self, **kwargs):
        shipment = self.get_scoped_object()
        shipment = Shipment.objects.select_related("order", "order__company").get(pk=shipment.pk)
        writable = can_change(self.request.user, shipment)
        allowed = SHIPMENT_MOVES[shipment.status]
        lines = list(shipment.lines.select_related("order_line", "order_line__product"))
        planned = shipment.status == ShipmentStatus.PLANNED
        for line in lines:
            line.stock = counted_level(line.order_line.product) if planned else None
            line.is_short = line.stock is not None and line.quantity > line.stock
        return {
            **super().get_context_data(**kwargs),
            "shipment": shipment,
            "lines": lines,
            "shows_stock": planned and any(line.stock is not None for line in lines),
            "is_short": any(line.is_short for line in lines),
            "moves": [key for key, (status, _s) in MOVES.items() if status in allowed]
            if writable
            else [],
        }


class ShipmentMoveView(WriterRequiredMixin, ScopedMixin, View):
    """``to`` = ship, deliver or cancel."""

    model = Shipment
    action = scoping.CHANGE

    def post(self, request, pk):
        shipment = self.get_scoped_object()
        move = MOVES.get(request.POST.get("to", ""))
        if move is None:
            messages.error(request, _("Unknown action."))
            return redirect(shipment.get_absolute_url())
        try:
            shipment = move[1](actor=request.user, shipment=shipment)
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(
                request,
                _("The shipment is now %(status)s.") % {"status": shipment.get_status_display()},
            )
            if shipment.status == ShipmentStatus.SHIPPED:
                _warn_below_zero(request, shipment)
        return redirect(shipment.get_absolute_url())


def _warn_below_zero(request, shipment: Shipment) -> None:
    """Shipping is never refused for want of stock (see catalog.stock); say which levels it
    took below zero, so someone counts them."""
    short = selectors.products_below_zero(shipment)
    if not short:
        return
    products = ", ".join(
        f"{p.name} ({localize(p.stock_level.normalize())} {p.get_unit_display()})" for p in short
    )
    messages.warning(
        request,
        _(
            "Stock is now below zero for: %(products)s. More was shipped than the stock level "
            "showed; the stock should be counted and the level corrected on the product card."
        )
        % {"products": products},
    )
