"""Filters of the product list, shared by the web UI and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import DiscountKind, DiscountRule, PriceList, Product, ProductKind
from rapport.core.money import Currency

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]

# Sort keys the list and the API accept, and the columns each sorts by (name and SKU are
# indexed; the pk keeps pages stable).
PRODUCT_SORTS = {"name": ("name", "id"), "sku": ("sku", "id")}


class ProductFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_search", label=_("Search"), max_length=100)
    kind = filters.ChoiceFilter(choices=ProductKind.choices, label=_("Kind"))
    is_active = filters.BooleanFilter(label=_("On sale"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Product
        fields = ["q", "kind", "is_active"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))


class PriceListFilterSet(filters.FilterSet):
    currency = filters.ChoiceFilter(choices=Currency.choices, label=_("Currency"))
    is_active = filters.BooleanFilter(label=_("Active"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = PriceList
        fields = ["currency", "customer_group", "is_active"]


class DiscountRuleFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DiscountKind.choices, label=_("Kind"))

    class Meta:
        model = DiscountRule
        fields = ["kind", "customer_group", "product", "is_active"]
