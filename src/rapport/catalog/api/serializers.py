"""API representations of the catalogue.

Input is only parsed here (types, choices, formats); the services check the rules, so the API
answers with the same translated messages as the pages."""

from __future__ import annotations

from rest_framework import serializers

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


class ServiceSerializer(serializers.ModelSerializer):
    """No validators of the model copied into the fields or the serializer (uniqueness,
    ranges): the service validates, with the catalogue's messages."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not field.read_only:
                field.validators = []
        return fields

    def get_validators(self):
        return []


class ProductSerializer(ServiceSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "name",
            "sku",
            "description",
            "unit",
            "tax_rate",
            "cost_price",
            "cost_currency",
            "stock_level",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class PriceListSerializer(ServiceSerializer):
    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "currency",
            "customer_group",
            "valid_from",
            "valid_until",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class PriceListItemSerializer(ServiceSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "price_list", "product", "product_name", "sku", "min_quantity", "price"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # A price stays in its list; moving it is deleting and adding.
            fields["price_list"].read_only = True
        return fields


class NestedItemSerializer(PriceListItemSerializer):
    """A price added through /price-lists/{id}/items/: the list is the one in the URL."""

    class Meta(PriceListItemSerializer.Meta):
        read_only_fields = ["price_list"]


class CustomerGroupSerializer(ServiceSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "description"]


class MembershipSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = CustomerGroupMembership
        fields = ["company", "company_name", "group"]


class CompaniesSerializer(serializers.Serializer):
    companies = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000
    )


class DiscountRuleSerializer(ServiceSerializer):
    class Meta:
        model = DiscountRule
        fields = [
            "id",
            "name",
            "kind",
            "product",
            "customer_group",
            "min_quantity",
            "percent",
            "is_active",
        ]


class DiscountLimitSerializer(ServiceSerializer):
    class Meta:
        model = DiscountLimit
        fields = ["id", "role", "max_percent"]


class ExchangeRateSerializer(ServiceSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "valid_from", "rate"]
