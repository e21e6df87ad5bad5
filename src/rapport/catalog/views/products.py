"""The product list, the product card and the administrators' product form."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from rapport.catalog import selectors
from rapport.catalog.filtersets import PRODUCT_SORTS, ProductFilterSet
from rapport.catalog.forms import ProductForm
from rapport.catalog.models import DiscountRule, Product
from rapport.catalog.services import product_create, product_delete, product_update
from rapport.core import scoping
from rapport.core.errors import DomainError, ValidationError
from rapport.core.views import (
    AdministratorRequiredMixin,
    FilteredListMixin,
    ScopedMixin,
    domain_error_to_form,
)


class ProductListView(FilteredListMixin, TemplateView):
    """Everyone signed in reads the catalogue."""

    model = Product
    filterset_class = ProductFilterSet
    sort_fields = PRODUCT_SORTS
    default_sort = "name"
    template_name = "catalog/product_list.html"

    def get_context_data(self, **kwargs):
        page = self.page()
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
            "query_without_page": self.query_without("page"),
            "can_edit": self.request.user.is_administrator,
        }


class ProductDetailView(ScopedMixin, TemplateView):
    model = Product
    template_name = "catalog/product_detail.html"

    def get_context_data(self, **kwargs):
        product = self.get_scoped_object()
        prices = selectors.product_prices(product)
        by_list: dict[int, dict] = {}
        for item in prices:
            entry = by_list.setdefault(item.price_list_id, {"list": item.price_list, "items": []})
            entry["items"].append(item)
        rules = (
            DiscountRule.objects.filter(is_active=True)
            .filter(Q(product__isnull=True) | Q(product=product))
            .select_related("customer_group")
            .order_by("kind", "name", "pk")
        )
        return {
            **super().get_context_data(**kwargs),
            "object": product,
            "price_lists": list(by_list.values()),
            "rules": list(rules),
            "can_edit": self.request.user.is_administrator,
        }


class ProductFormView(AdministratorRequiredMixin, ScopedMixin, TemplateView):
    model = Product
    template_name = "catalog/product_form.html"
    action = scoping.CHANGE

    def instance(self) -> Product:
        pk = self.kwargs.get("pk")
        return self.get_scoped_object(pk) if pk is not None else Product()

    def get(self, request, pk=None):
        product = self.instance()
        return self.render_to_response({"form": ProductForm(instance=product), "object": product})

    def post(self, request, pk=None):
        product = self.instance()
        form = ProductForm(request.POST, instance=product)
        if form.is_valid():
            try:
                if product.pk:
                    product = product_update(
                        actor=request.user, product=product, **form.service_kwargs()
                    )
                else:
                    product = product_create(actor=request.user, **form.service_kwargs())
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(product.get_absolute_url())
        return self.render_to_response({"form": form, "object": product}, status=422)


class ProductDeleteView(AdministratorRequiredMixin, ScopedMixin, TemplateView):
    model = Product
    template_name = "catalog/confirm_delete.html"
    action = scoping.CHANGE

    def get(self, request, pk):
        product = self.get_scoped_object()
        return self.render_to_response(
            {"object": product, "cancel_url": product.get_absolute_url()}
        )

    def post(self, request, pk):
        product = self.get_scoped_object()
        try:
            product_delete(actor=request.user, product=product)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(product.get_absolute_url())
        messages.success(request, _("Deleted “%(name)s”.") % {"name": product})
        return redirect("catalog:product_list")


class ProductAutocompleteView(ScopedMixin, View):
    """JSON options for product choices: products on sale, by name or SKU."""

    model = Product

    def get(self, request):
        query = request.GET.get("q", "").strip()[:100]
        qs = self.scoped_queryset().filter(is_active=True)
        if query:
            fs = ProductFilterSet({"q": query}, queryset=qs)
            qs = fs.qs
        items = [{"value": p.pk, "text": str(p)} for p in qs.order_by("name", "pk")[:20]]
        return JsonResponse({"results": items})
