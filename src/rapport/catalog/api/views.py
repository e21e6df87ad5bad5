"""API endpoints of the catalogue: everyone signed in reads, administrators write."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from rapport.catalog import services
from rapport.catalog.api.serializers import (
    CompaniesSerializer,
    CustomerGroupSerializer,
    DiscountLimitSerializer,
    DiscountRuleSerializer,
    ExchangeRateSerializer,
    MembershipSerializer,
    NestedItemSerializer,
    PriceListItemSerializer,
    PriceListSerializer,
    ProductSerializer,
)
from rapport.catalog.filtersets import (
    PRODUCT_SORTS,
    DiscountRuleFilterSet,
    PriceListFilterSet,
    ProductFilterSet,
)
from rapport.catalog.models import (
    CustomerGroup,
    CustomerGroupMembership,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)
from rapport.core.api.viewsets import ServiceModelViewSet


class CatalogViewSet(ServiceModelViewSet):
    """Reference data: writes by administrators only (403 for everyone else), through the
    ``create``/``update``/``delete`` services named by ``service`` and ``noun``."""

    service = ""  # e.g. "product" -> services.product_create / _update / _delete
    noun = ""  # the keyword the update and delete services take the record by

    @staticmethod
    def required_role(user) -> bool:
        return user.is_administrator

    def service_create(self, data):
        return getattr(services, f"{self.service}_create")(actor=self.request.user, **data)

    def service_update(self, instance, data, *, if_match=None):
        update = getattr(services, f"{self.service}_update")
        return update(actor=self.request.user, if_match=if_match, **{self.noun: instance}, **data)

    def service_delete(self, instance, *, if_match=None):
        delete = getattr(services, f"{self.service}_delete")
        delete(actor=self.request.user, if_match=if_match, **{self.noun: instance})


class ProductViewSet(CatalogViewSet):
    """Products and services. Filters: ``q`` (name or SKU), ``kind``, ``is_active``."""

    model = Product
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = list(PRODUCT_SORTS) + ["id"]
    ordering = ["name", "id"]
    service, noun = "product", "product"


class PriceListViewSet(CatalogViewSet):
    """Price lists per currency and customer group; their prices under ``items/``."""

    model = PriceList
    serializer_class = PriceListSerializer
    filterset_class = PriceListFilterSet
    ordering_fields = ["name", "currency", "id"]
    ordering = ["currency", "name", "id"]
    service, noun = "price_list", "price_list"

    @extend_schema(methods=["GET"], responses=PriceListItemSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=NestedItemSerializer, responses={201: PriceListItemSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def items(self, request, pk=None):
        if request.method == "GET":
            price_list = self.get_object()
            qs = (
                PriceListItem.objects.restrict(request.user)
                .filter(price_list=price_list)
                .select_related("product")
                .order_by("product__name", "product_id", "min_quantity")
            )
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(PriceListItemSerializer(page, many=True).data)
        price_list = self.get_object()
        serializer = NestedItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.price_list_item_create(
            actor=request.user, price_list=price_list, **serializer.validated_data
        )
        return Response(PriceListItemSerializer(item).data, status=status.HTTP_201_CREATED)


class PriceListItemViewSet(CatalogViewSet):
    """Prices: a product's price in a list from a quantity on (several rows: quantity breaks).
    Filters: ``price_list``, ``product``."""

    model = PriceListItem
    serializer_class = PriceListItemSerializer
    filterset_fields = ["price_list", "product"]
    ordering_fields = ["min_quantity", "id"]
    ordering = ["price_list", "product", "min_quantity", "id"]
    service, noun = "price_list_item", "item"

    def base_queryset(self) -> QuerySet:
        return PriceListItem.objects.select_related("product")

    def service_create(self, data):
        data = dict(data)
        return services.price_list_item_create(
            actor=self.request.user, price_list=data.pop("price_list"), **data
        )


class CustomerGroupViewSet(CatalogViewSet):
    """Customer groups; ``companies/`` lists and adds members, ``remove-companies/`` removes."""

    model = CustomerGroup
    serializer_class = CustomerGroupSerializer
    ordering = ["name", "id"]
    ordering_fields = ["name", "id"]
    service, noun = "customer_group", "group"

    @extend_schema(methods=["GET"], responses=MembershipSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=CompaniesSerializer, responses=MembershipSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"])
    def companies(self, request, pk=None):
        group = self.get_object()
        if request.method == "POST":
            data = CompaniesSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.customer_group_assign(
                actor=request.user, group=group, companies=data.validated_data["companies"]
            )
        qs = (
            CustomerGroupMembership.objects.restrict(request.user)
            .filter(group=group)
            .select_related("company")
            .order_by("company__name", "company_id")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(request=CompaniesSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="remove-companies")
    def remove_companies(self, request, pk=None):
        group = self.get_object()
        data = CompaniesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["companies"]
        with transaction.atomic():
            members = set(
                CustomerGroupMembership.objects.filter(group=group, company_id__in=ids).values_list(
                    "company_id", flat=True
                )
            )
            for company_id in ids:
                if company_id in members:
                    services.customer_group_unassign(actor=request.user, company=company_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DiscountRuleViewSet(CatalogViewSet):
    """Automatic discounts by quantity or customer group."""

    model = DiscountRule
    serializer_class = DiscountRuleSerializer
    filterset_class = DiscountRuleFilterSet
    ordering = ["kind", "name", "id"]
    ordering_fields = ["name", "percent", "id"]
    service, noun = "discount_rule", "rule"


class DiscountLimitViewSet(CatalogViewSet):
    """The largest manual discount each role may give without a head's approval."""

    model = DiscountLimit
    serializer_class = DiscountLimitSerializer
    ordering = ["role"]
    ordering_fields = ["role", "max_percent"]
    service, noun = "discount_limit", "limit"


class ExchangeRateViewSet(CatalogViewSet):
    """Exchange rates to the base currency, each from a day on."""

    model = ExchangeRate
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["currency"]
    ordering = ["currency", "-valid_from"]
    ordering_fields = ["currency", "valid_from"]
    service, noun = "exchange_rate", "exchange_rate"
