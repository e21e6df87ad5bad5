"""Forms of the catalogue pages. Validation lives in the services (one set of rules and messages
for the UI and the API); the forms only read the input."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import (
    CustomerGroup,
    DiscountLimit,
    DiscountRule,
    ExchangeRate,
    PriceList,
    PriceListItem,
    Product,
)
from rapport.core.forms import AutocompleteSelect
from rapport.core.money import Currency, base_currency


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceForm(forms.ModelForm):
    """A model form whose instance is not validated by the form: the service does it."""

    def _post_clean(self):
        pass

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProductForm(ServiceForm):
    # The stock level the form showed: shipments change the level while the form is open, so
    # an unchanged level is not written back over theirs (see service_kwargs).
    stock_level_shown = forms.DecimalField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Product
        fields = [
            "kind",
            "name",
            "sku",
            "unit",
            "tax_rate",
            "cost_price",
            "cost_currency",
            "stock_level",
            "is_active",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "stock_level": _(
                "Empty for goods not kept in stock. Shipments lower it, so it may go below "
                "zero when more was shipped than recorded."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock_level_shown"].initial = self.instance.stock_level

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        if self.instance.pk and kwargs["stock_level"] == self.cleaned_data["stock_level_shown"]:
            del kwargs["stock_level"]
        return kwargs


class PriceListForm(ServiceForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "customer_group", "valid_from", "valid_until", "is_active"]
        widgets = {"valid_from": _date_input(), "valid_until": _date_input()}


class PriceListItemForm(ServiceForm):
    class Meta:
        model = PriceListItem
        fields = ["product", "min_quantity", "price"]
        widgets = {
            "product": AutocompleteSelect(reverse_lazy("catalog:product_autocomplete")),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.all()


class CustomerGroupForm(ServiceForm):
    class Meta:
        model = CustomerGroup
        fields = ["name", "description"]


class DiscountRuleForm(ServiceForm):
    class Meta:
        model = DiscountRule
        fields = [
            "name",
            "kind",
            "customer_group",
            "product",
            "min_quantity",
            "percent",
            "is_active",
        ]
        widgets = {
            "product": AutocompleteSelect(reverse_lazy("catalog:product_autocomplete")),
        }


class DiscountLimitForm(ServiceForm):
    class Meta:
        model = DiscountLimit
        fields = ["role", "max_percent"]


class ExchangeRateForm(ServiceForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "rate"]
        widgets = {"valid_from": _date_input()}
        help_texts = {"rate": _("How many units of the base currency one unit is worth.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [c for c in Currency.choices if c[0] != base_currency()]


class CompaniesSelect(AutocompleteSelect):
    """Several companies, loaded on demand (Tom Select turns a multiple select into tags)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


class AssignCompaniesForm(forms.Form):
    companies = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=None,
        widget=CompaniesSelect(reverse_lazy("contacts:company_autocomplete")),
        help_text=_("A company in another group moves to this one."),
        error_messages={
            "invalid_choice": _("Choose companies from the list; that one is not available.")
        },
    )

    def __init__(self, *args, user, **kwargs):
        from rapport.contacts.models import Company
        from rapport.core import scoping

        super().__init__(*args, **kwargs)
        # Only companies the user may change can be chosen; others are "not available".
        self.fields["companies"].queryset = Company.objects.restrict(user, scoping.CHANGE)
