"""Filters of the order, invoice, payment and shipment lists, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.orders.choices import InvoiceStatus, OrderStatus, ShipmentStatus
from rapport.orders.models import Invoice, Order, Payment, Shipment

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
DATE = forms.DateInput(attrs={"type": "date"})

# Sort keys the lists and the API accept, and the (indexed) columns each sorts by.
ORDER_SORTS = {"date": ("ordered_on", "id"), "number": ("number", "id")}
INVOICE_SORTS = {"date": ("issued_on", "id"), "number": ("number", "id"), "due": ("due_on", "id")}
SHIPMENT_SORTS = {
    "created": ("id",),
    "number": ("number", "id"),
    "planned": ("planned_on", "id"),
    "shipped": ("shipped_on", "id"),
}

OPEN_INVOICE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


def overdue_q() -> Q:
    """Issued or partly paid and due before today (Invoice.is_overdue, as a filter)."""
    return Q(status__in=OPEN_INVOICE, due_on__lt=timezone.localdate())


def _by_id(name, label):
    # Plain ids: a choice of every company in the form would list records out of scope.
    return filters.NumberFilter(field_name=name, label=label, widget=forms.HiddenInput)


class _NumberSearch(filters.FilterSet):
    company = _by_id("company", _("Customer"))
    q = filters.CharFilter(method="filter_search", label=_("Number or customer"), max_length=100)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(company__name__icontains=value))


class OrderFilterSet(_NumberSearch):
    status = filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    deal = _by_id("deal", _("Deal"))
    ordered_from = filters.DateFilter(
        field_name="ordered_on", lookup_expr="gte", label=_("From"), widget=DATE
    )
    ordered_to = filters.DateFilter(
        field_name="ordered_on", lookup_expr="lte", label=_("To"), widget=DATE
    )

    class Meta:
        model = Order
        fields = ["q", "status", "company", "deal", "ordered_from", "ordered_to"]


class InvoiceFilterSet(_NumberSearch):
    status = filters.ChoiceFilter(choices=InvoiceStatus.choices, label=_("Status"))
    order = _by_id("order", pgettext_lazy("document", "Order"))
    overdue = filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=forms.Select(choices=YES_NO)
    )
    issued_from = filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label=_("Issued from"), widget=DATE
    )
    issued_to = filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label=_("Issued to"), widget=DATE
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "overdue", "company", "order", "issued_from", "issued_to"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class PaymentFilterSet(filters.FilterSet):
    invoice = _by_id("invoice", _("Invoice"))
    paid_from = filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_("From"))
    paid_to = filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Payment
        fields = ["invoice", "paid_from", "paid_to"]


class ShipmentFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_search", label=_("Number, order or customer"), max_length=100
    )
    status = filters.ChoiceFilter(choices=ShipmentStatus.choices, label=_("Status"))
    company = _by_id("order__company", _("Customer"))
    order = _by_id("order", pgettext_lazy("document", "Order"))
    planned_from = filters.DateFilter(
        field_name="planned_on", lookup_expr="gte", label=_("Planned from"), widget=DATE
    )
    planned_to = filters.DateFilter(
        field_name="planned_on", lookup_expr="lte", label=_("Planned to"), widget=DATE
    )
    shipped_from = filters.DateFilter(
        field_name="shipped_on", lookup_expr="gte", label=_("Shipped from"), widget=DATE
    )
    shipped_to = filters.DateFilter(
        field_name="shipped_on", lookup_expr="lte", label=_("Shipped to"), widget=DATE
    )

    class Meta:
        model = Shipment
        fields = [
            "q",
            "status",
            "company",
            "order",
            "planned_from",
            "planned_to",
            "shipped_from",
            "shipped_to",
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(order__number__icontains=value)
            | Q(order__company__name__icontains=value)
        )
