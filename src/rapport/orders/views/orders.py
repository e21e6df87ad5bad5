"""The order list, the order card (with its invoices, payments and shipments), moves and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.core import scoping
from rapport.core.cards import card_sections
from rapport.core.errors import DomainError, ValidationError
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
)
from rapport.orders import selectors
from rapport.orders.choices import ORDER_MOVES, OrderStatus
from rapport.orders.filtersets.documents import ORDER_SORTS, OrderFilterSet
from rapport.orders.forms.documents import OrderNotesForm
from rapport.orders.models import Order
from rapport.orders.services.orders import order_move, order_update
from rapport.orders.services.payments import may_delete_payment


def can_change(user, obj) -> bool:
    return type(obj).objects.restrict(user, scoping.CHANGE).filter(pk=obj.pk).exists()


def error_message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


class OrderListView(FilteredListMixin, TemplateView):
    model = Order
    filterset_class = OrderFilterSet
    sort_fields = ORDER_SORTS
    default_sort = "-date"
    template_name = "orders/order_list.html"

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).select_related("company", "person", "owner")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "page": self.page(),
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
            "query_without_page": self.query_without("page"),
        }


class OrderDetailView(ScopedMixin, TemplateView):
    model = Order
    template_name = "orders/order_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        order = self.get_scoped_object()
        order = (
            Order.objects.select_related("company", "person", "owner", "deal", "proposal")
            .prefetch_related("lines")
            .get(pk=order.pk)
        )
        chain = selectors.order_card(user, order)
        writable = can_change(user, order)
        open_order = order.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
        lines = list(order.lines.all())
        for payment in chain.payments:
            payment.can_delete = writable and may_delete_payment(user, payment)
        return {
            **super().get_context_data(**kwargs),
            "order": order,
            "lines": lines,
            "chain": chain,
            "can_change": writable,
            "can_invoice": writable
            and open_order
            and any(x.quantity_invoiced < x.quantity for x in lines),
            "can_ship": writable
            and open_order
            and any(x.quantity_shipped < x.quantity for x in lines),
            "moves": [OrderStatus(s) for s in ORDER_MOVES[order.status]] if writable else [],
            "notes_form": OrderNotesForm(initial={"notes": order.notes}),
            "card_sections": card_sections(self.request, order, can_change=writable),
        }


class OrderUpdateView(WriterRequiredMixin, ScopedMixin, View):
    """Notes of the order (POST from the card)."""

    model = Order
    action = scoping.CHANGE

    def post(self, request, pk):
        order = self.get_scoped_object()
        form = OrderNotesForm(request.POST)
        if form.is_valid():
            try:
                order_update(actor=request.user, order=order, notes=form.cleaned_data["notes"])
            except (ValidationError, DomainError) as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, _("Saved."))
        else:
            messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect(order.get_absolute_url())


class OrderMoveView(WriterRequiredMixin, ScopedMixin, View):
    """Complete or cancel the order by hand (``status`` in the POST)."""

    model = Order
    action = scoping.CHANGE

    def post(self, request, pk):
        order = self.get_scoped_object()
        try:
            status = request.POST.get("status", "")
            order = order_move(actor=request.user, order=order, status=status)
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(
                request, _("The order is now %(status)s.") % {"status": order.get_status_display()}
            )
        return redirect(order.get_absolute_url())


class OrderPdfView(ScopedMixin, View):
    model = Order

    def get(self, request, pk):
        order = self.get_scoped_object()
        return selectors.pdf_response(selectors.order_pdf(order), order)
