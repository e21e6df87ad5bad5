"""Administrator pages of the catalogue: price lists and their prices, customer groups and
their companies, discount rules, discount limits per role, exchange rates.

Each page is a list beside a form (like the custom fields page): the form creates a record, or
edits the one named in the URL, through the catalogue services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from rapport.catalog import selectors, services
from rapport.catalog.forms import (
    AssignCompaniesForm,
    CustomerGroupForm,
    DiscountLimitForm,
    DiscountRuleForm,
    ExchangeRateForm,
    PriceListForm,
    PriceListItemForm,
)
from rapport.catalog.models import (
    CustomerGroup,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
)
from rapport.core import scoping
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.views import RoleRequiredMixin, domain_error_to_form


def _percent(value) -> str:
    return f"{localize(value)} %" if value is not None else ""


class CatalogAdminView(RoleRequiredMixin, TemplateView):
    """A list of one kind of record and a form to create one or edit the one in the URL."""

    template_name = "catalog/admin_list.html"
    model = None
    form_class = None
    title = ""
    list_url = ""  # URL names
    edit_url = ""
    columns: list[tuple[str, Callable]] = []
    related: tuple[str, ...] = ()
    readers_may_view = False  # everyone signed in may read the list (not change it)
    create = update = delete = None  # services: (actor, **data), (actor, obj, **data), ...

    def has_role(self, user) -> bool:
        if self.readers_may_view and self.request.method == "GET":
            return True
        return user.is_administrator

    def instance(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return self.model()
        obj = self.model.objects.restrict(self.request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def rows(self) -> list:
        qs = self.model.objects.restrict(self.request.user)
        if self.related:
            qs = qs.select_related(*self.related)
        return [
            (reverse(self.edit_url, args=[obj.pk]), [cell(obj) for _label, cell in self.columns])
            for obj in qs[:500]
        ]

    def context(self, form, obj, **extra) -> dict:
        return {
            "title": self.title,
            "form": form if self.request.user.is_administrator else None,
            "object": obj,
            "editing": obj.pk is not None,
            "headers": [label for label, _cell in self.columns],
            "rows": self.rows(),
            "list_url": reverse(self.list_url),
            **extra,
        }

    def get(self, request, pk=None):
        obj = self.instance()
        return self.render_to_response(self.context(self.form_class(instance=obj), obj))

    def saved_url(self, obj) -> str:
        return reverse(self.list_url)

    def post(self, request, pk=None):
        obj = self.instance()
        if obj.pk is not None and "delete" in request.POST:
            try:
                type(self).delete(request.user, obj)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return redirect(reverse(self.edit_url, args=[obj.pk]))
            messages.success(request, _("Deleted “%(name)s”.") % {"name": obj})
            return redirect(self.list_url)
        form = self.form_class(request.POST, instance=obj)
        if form.is_valid():
            try:
                if obj.pk is None:
                    obj = type(self).create(request.user, **form.service_kwargs())
                else:
                    obj = type(self).update(request.user, obj, **form.service_kwargs())
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.saved_url(obj))
        return self.render_to_response(self.context(form, obj), status=422)


# Price lists -----------------------------------------------------------------------------------
class PriceListsView(CatalogAdminView):
    model = PriceList
    form_class = PriceListForm
    title = gettext_lazy("Price lists")
    list_url = "catalog:pricelist_list"
    edit_url = "catalog:pricelist_detail"
    related = ("customer_group",)
    readers_may_view = True
    columns = [
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Currency"), lambda o: o.currency),
        (gettext_lazy("Customer group"), lambda o: o.customer_group or _("everyone")),
        (gettext_lazy("Valid from"), lambda o: localize(o.valid_from) if o.valid_from else ""),
        (gettext_lazy("Valid until"), lambda o: localize(o.valid_until) if o.valid_until else ""),
        (gettext_lazy("Active"), lambda o: _("yes") if o.is_active else _("no")),
    ]

    def create(actor, **data):
        return services.price_list_create(actor=actor, **data)

    def saved_url(self, obj) -> str:
        return obj.get_absolute_url()


class PriceListEditView(PriceListsView):
    readers_may_view = False
    edit_url = "catalog:pricelist_update"

    def update(actor, obj, **data):
        return services.price_list_update(actor=actor, price_list=obj, **data)

    def delete(actor, obj):
        services.price_list_delete(actor=actor, price_list=obj)

    def rows(self) -> list:
        return []  # the edit page is the form alone, the list is a click away


class PriceListDetailView(RoleRequiredMixin, TemplateView):
    """A price list's prices (everyone reads); administrators add, edit and remove them.

    With ``item_mode`` the URL names a price, and the form edits it."""

    template_name = "catalog/pricelist_detail.html"

    item_mode = False  # the URL names a price (the form edits it), not a price list

    def has_role(self, user) -> bool:
        reading = self.request.method == "GET" and not self.item_mode
        return reading or user.is_administrator

    def objects(self):
        user = self.request.user
        if self.item_mode:
            item = (
                PriceListItem.objects.restrict(user)
                .select_related("price_list")
                .filter(pk=self.kwargs["pk"])
                .first()
            )
            if item is None:
                raise Http404
            return item.price_list, item
        price_list = PriceList.objects.restrict(user).filter(pk=self.kwargs["pk"]).first()
        if price_list is None:
            raise Http404
        return price_list, PriceListItem(price_list=price_list)

    def context(self, price_list, item, form) -> dict:
        return {
            "object": price_list,
            "items": selectors.price_list_items(price_list),
            "item": item,
            "form": form if self.request.user.is_administrator else None,
        }

    def get(self, request, **kwargs):
        price_list, item = self.objects()
        return self.render_to_response(
            self.context(price_list, item, PriceListItemForm(instance=item))
        )

    def post(self, request, **kwargs):
        price_list, item = self.objects()
        back = redirect(price_list.get_absolute_url())
        if item.pk is not None and "delete" in request.POST:
            services.price_list_item_delete(actor=request.user, item=item)
            messages.success(request, _("Price removed."))
            return back
        form = PriceListItemForm(request.POST, instance=item)
        if form.is_valid():
            data = form.service_kwargs()
            try:
                if item.pk is None:
                    services.price_list_item_create(
                        actor=request.user, price_list=price_list, **data
                    )
                else:
                    services.price_list_item_update(actor=request.user, item=item, **data)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return back
        return self.render_to_response(self.context(price_list, item, form), status=422)


# Customer groups -------------------------------------------------------------------------------
class CustomerGroupsView(CatalogAdminView):
    model = CustomerGroup
    form_class = CustomerGroupForm
    title = gettext_lazy("Customer groups")
    list_url = "catalog:customergroup_list"
    edit_url = "catalog:customergroup_detail"

    @cached_property
    def counts(self) -> dict[int, int]:
        return selectors.member_counts()

    @property
    def columns(self):
        counts = self.counts
        return [
            (gettext_lazy("Name"), lambda o: o.name),
            (gettext_lazy("Description"), lambda o: o.description),
            (gettext_lazy("Companies"), lambda o: counts.get(o.pk, 0)),
        ]

    def create(actor, **data):
        return services.customer_group_create(actor=actor, **data)

    def saved_url(self, obj) -> str:
        return reverse("catalog:customergroup_detail", args=[obj.pk])


class CustomerGroupDetailView(CustomerGroupsView):
    """The group's name, its companies, and the form that adds companies to it."""

    template_name = "catalog/customergroup_detail.html"

    def update(actor, obj, **data):
        return services.customer_group_update(actor=actor, group=obj, **data)

    def delete(actor, obj):
        services.customer_group_delete(actor=actor, group=obj)

    def saved_url(self, obj) -> str:
        return reverse("catalog:customergroup_detail", args=[obj.pk])

    def rows(self) -> list:
        return []

    def context(self, form, obj, **extra) -> dict:
        return super().context(
            form,
            obj,
            members=selectors.group_members(obj, self.request.user),
            assign_form=extra.pop("assign_form", None)
            or AssignCompaniesForm(user=self.request.user),
            **extra,
        )


class CustomerGroupAssignView(RoleRequiredMixin, TemplateView):
    template_name = "catalog/customergroup_detail.html"

    def has_role(self, user) -> bool:
        return user.is_administrator

    def group(self) -> CustomerGroup:
        group = CustomerGroup.objects.restrict(self.request.user, scoping.CHANGE)
        group = group.filter(pk=self.kwargs["pk"]).first()
        if group is None:
            raise Http404
        return group

    def post(self, request, pk):
        group = self.group()
        form = AssignCompaniesForm(request.POST, user=request.user)
        if form.is_valid():
            moved = services.customer_group_assign(
                actor=request.user, group=group, companies=form.cleaned_data["companies"]
            )
            messages.success(
                request, _("Companies added to the group: %(count)s.") % {"count": moved}
            )
            return redirect("catalog:customergroup_detail", pk=group.pk)
        view = CustomerGroupDetailView(request=request, kwargs={"pk": pk})
        return self.render_to_response(
            view.context(CustomerGroupForm(instance=group), group, assign_form=form), status=422
        )


class CustomerGroupUnassignView(RoleRequiredMixin, View):
    def has_role(self, user) -> bool:
        return user.is_administrator

    def post(self, request, pk, company_pk):
        group = CustomerGroup.objects.restrict(request.user, scoping.CHANGE).filter(pk=pk).first()
        if group is None:
            raise Http404
        try:
            services.customer_group_unassign(actor=request.user, company=company_pk)
        except NotFound:
            raise Http404 from None
        messages.success(request, _("The company left the group."))
        return redirect("catalog:customergroup_detail", pk=group.pk)


# Discounts and exchange rates ------------------------------------------------------------------
class DiscountRulesView(CatalogAdminView):
    model = DiscountRule
    form_class = DiscountRuleForm
    title = gettext_lazy("Discount rules")
    list_url = "catalog:discountrule_list"
    edit_url = "catalog:discountrule_update"
    related = ("product", "customer_group")
    columns = [
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Kind"), lambda o: o.get_kind_display()),
        (gettext_lazy("Customer group"), lambda o: o.customer_group or ""),
        (gettext_lazy("Product"), lambda o: o.product or _("every product")),
        (
            gettext_lazy("From quantity"),
            lambda o: localize(o.min_quantity.normalize()) if o.min_quantity is not None else "",
        ),
        (gettext_lazy("Discount"), lambda o: _percent(o.percent)),
        (gettext_lazy("Active"), lambda o: _("yes") if o.is_active else _("no")),
    ]

    def create(actor, **data):
        return services.discount_rule_create(actor=actor, **data)

    def update(actor, obj, **data):
        return services.discount_rule_update(actor=actor, rule=obj, **data)

    def delete(actor, obj):
        services.discount_rule_delete(actor=actor, rule=obj)


class DiscountLimitsView(CatalogAdminView):
    model = DiscountLimit
    form_class = DiscountLimitForm
    title = gettext_lazy("Discount limits per role")
    list_url = "catalog:discountlimit_list"
    edit_url = "catalog:discountlimit_update"
    columns = [
        (gettext_lazy("Role"), lambda o: o.get_role_display()),
        (gettext_lazy("Largest discount without approval"), lambda o: _percent(o.max_percent)),
    ]

    def create(actor, **data):
        return services.discount_limit_create(actor=actor, **data)

    def update(actor, obj, **data):
        return services.discount_limit_update(actor=actor, limit=obj, **data)

    def delete(actor, obj):
        services.discount_limit_delete(actor=actor, limit=obj)


class ExchangeRatesView(CatalogAdminView):
    model = ExchangeRate
    form_class = ExchangeRateForm
    title = gettext_lazy("Exchange rates")
    list_url = "catalog:exchangerate_list"
    edit_url = "catalog:exchangerate_update"
    columns = [
        (gettext_lazy("Currency"), lambda o: o.currency),
        (gettext_lazy("Valid from"), lambda o: localize(o.valid_from)),
        (gettext_lazy("Rate"), lambda o: localize(o.rate.normalize())),
    ]

    def create(actor, **data):
        return services.exchange_rate_create(actor=actor, **data)

    def update(actor, obj, **data):
        return services.exchange_rate_update(actor=actor, exchange_rate=obj, **data)

    def delete(actor, obj):
        services.exchange_rate_delete(actor=actor, exchange_rate=obj)
