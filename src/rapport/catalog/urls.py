"""Web routes of the catalog app."""

from django.urls import path

from rapport.catalog.views import admin, products

app_name = "catalog"

urlpatterns = [
    path("catalog/products/", products.ProductListView.as_view(), name="product_list"),
    path("catalog/products/new/", products.ProductFormView.as_view(), name="product_create"),
    path(
        "catalog/products/autocomplete/",
        products.ProductAutocompleteView.as_view(),
        name="product_autocomplete",
    ),
    path("catalog/products/<int:pk>/", products.ProductDetailView.as_view(), name="product_detail"),
    path(
        "catalog/products/<int:pk>/edit/",
        products.ProductFormView.as_view(),
        name="product_update",
    ),
    path(
        "catalog/products/<int:pk>/delete/",
        products.ProductDeleteView.as_view(),
        name="product_delete",
    ),
    path("catalog/price-lists/", admin.PriceListsView.as_view(), name="pricelist_list"),
    path(
        "catalog/price-lists/<int:pk>/",
        admin.PriceListDetailView.as_view(),
        name="pricelist_detail",
    ),
    path(
        "catalog/price-lists/<int:pk>/edit/",
        admin.PriceListEditView.as_view(),
        name="pricelist_update",
    ),
    path(
        "catalog/price-lists/prices/<int:pk>/",
        admin.PriceListDetailView.as_view(item_mode=True),
        name="pricelist_item_update",
    ),
    path("catalog/customer-groups/", admin.CustomerGroupsView.as_view(), name="customergroup_list"),
    path(
        "catalog/customer-groups/<int:pk>/",
        admin.CustomerGroupDetailView.as_view(),
        name="customergroup_detail",
    ),
    path(
        "catalog/customer-groups/<int:pk>/companies/",
        admin.CustomerGroupAssignView.as_view(),
        name="customergroup_assign",
    ),
    path(
        "catalog/customer-groups/<int:pk>/companies/<int:company_pk>/remove/",
        admin.CustomerGroupUnassignView.as_view(),
        name="customergroup_unassign",
    ),
    path("catalog/discount-rules/", admin.DiscountRulesView.as_view(), name="discountrule_list"),
    path(
        "catalog/discount-rules/<int:pk>/",
        admin.DiscountRulesView.as_view(),
        name="discountrule_update",
    ),
    path("catalog/discount-limits/", admin.DiscountLimitsView.as_view(), name="discountlimit_list"),
    path(
        "catalog/discount-limits/<int:pk>/",
        admin.DiscountLimitsView.as_view(),
        name="discountlimit_update",
    ),
    path("catalog/exchange-rates/", admin.ExchangeRatesView.as_view(), name="exchangerate_list"),
    path(
        "catalog/exchange-rates/<int:pk>/",
        admin.ExchangeRatesView.as_view(),
        name="exchangerate_update",
    ),
]
