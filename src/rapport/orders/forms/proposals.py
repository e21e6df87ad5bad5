"""Forms of the proposal pages: header, lines, sending, and the revision every write carries."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import PriceList, Product
from rapport.contacts.models import Person
from rapport.core.forms import AutocompleteSelect
from rapport.orders.choices import DocumentLanguage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RevisionForm(forms.Form):
    """The revision of the proposal the user had on screen; a newer one means someone else
    changed it meanwhile."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


# No list chosen: each product is priced from the customer group's list, else the general one.
AUTOMATIC_LIST = _("Automatic: the customer's list in the deal's currency")


class ProposalCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    price_list = forms.ModelChoiceField(
        label=_("Price list"),
        queryset=PriceList.objects.filter(is_active=True),
        required=False,
        empty_label=AUTOMATIC_LIST,
    )


class ProposalHeaderForm(RevisionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    person = forms.ModelChoiceField(
        label=_("Contact person"), queryset=Person.objects.none(), required=False
    )
    language = forms.ChoiceField(label=_("Document language"), choices=DocumentLanguage.choices)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    price_list = forms.ModelChoiceField(
        label=_("Price list"),
        queryset=PriceList.objects.filter(is_active=True),
        required=False,
        empty_label=AUTOMATIC_LIST,
    )
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])

    @classmethod
    def initial_for(cls, proposal) -> dict:
        return {
            "revision": proposal.revision,
            "title": proposal.title,
            "person": proposal.person_id,
            "language": proposal.language,
            "valid_until": proposal.valid_until,
            "price_list": proposal.price_list_id,
            "introduction": proposal.introduction,
            "terms": proposal.terms,
            "notes": proposal.notes,
        }


class LineAddForm(RevisionForm):
    product = forms.ModelChoiceField(
        label=_("Product or service"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("catalog:product_autocomplete")),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        help_text=_("For a product: empty takes its name. Without a product: free text."),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=3, initial=Decimal(1)
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the price list's price."),
    )
    discount_percent = forms.DecimalField(
        label=_("Discount, %"), max_digits=5, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("product") and not (data.get("description") or "").strip():
            raise forms.ValidationError(_("Choose a product or describe the line."))
        return data


class LineUpdateForm(RevisionForm):
    description = forms.CharField(label=_("Description"), max_length=500)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2)
    discount_percent = forms.DecimalField(label=_("Discount, %"), max_digits=5, decimal_places=2)


class SendForm(RevisionForm):
    person = forms.ModelChoiceField(label=_("Send to"), queryset=Person.objects.none())
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added to the standard text of the e-mail."),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        self.fields["person"].label_from_instance = lambda p: f"{p.full_name} <{p.email}>"


class DecisionForm(RevisionForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
