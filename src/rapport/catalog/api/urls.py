"""API resources of the catalog app, registered by rapport/api_urls.py."""

from rapport.catalog.api.views import (
    CustomerGroupViewSet,
    DiscountLimitViewSet,
    DiscountRuleViewSet,
    ExchangeRateViewSet,
    PriceListItemViewSet,
    PriceListViewSet,
    ProductViewSet,
)

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = [
    ("products", ProductViewSet, "product"),
    ("price-lists", PriceListViewSet, "price-list"),
    ("price-list-items", PriceListItemViewSet, "price-list-item"),
    ("customer-groups", CustomerGroupViewSet, "customer-group"),
    ("discount-rules", DiscountRuleViewSet, "discount-rule"),
    ("discount-limits", DiscountLimitViewSet, "discount-limit"),
    ("exchange-rates", ExchangeRateViewSet, "exchange-rate"),
]
PATHS: list = []
