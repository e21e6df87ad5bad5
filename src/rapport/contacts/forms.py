"""Forms for companies, people, consents, merging and bulk actions."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import UserChoiceField, user_select
from rapport.accounts.models import Team, User
from rapport.contacts.choices import AddressKind, ConsentChannel, ConsentMethod
from rapport.contacts.models import Company, Person
from rapport.contacts.normalize import normalize_email, normalize_phone
from rapport.core.custom_fields import CustomFieldsFormMixin
from rapport.core.forms import AutocompleteSelect, ScopedModelChoiceField, TagsField, split_lines

ADDRESS_FIELDS = ("street", "city", "postal_code", "region", "country")


class CustomerRecordForm(CustomFieldsFormMixin, forms.ModelForm):
    tags = TagsField()
    confirm_duplicate = forms.BooleanField(
        required=False,
        label=_("I checked the similar records above; create this one anyway"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["curator"].queryset = User.objects.filter(is_active=True).order_by(
            "last_name", "first_name"
        )
        self.fields["team"].queryset = Team.objects.all()
        if self.instance.pk:
            self.initial["tags"] = [t.name for t in self.instance.tags.all()]
            del self.fields["confirm_duplicate"]

    def service_kwargs(self) -> dict:
        data = {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }
        data["tags"] = self.cleaned_data.get("tags", [])
        data["custom"] = self.custom_values()
        return data


def check_each(values: list[str], normalize) -> None:
    """Report every bad phone or e-mail with the form's other errors, not after them."""
    errors = []
    for value in values:
        try:
            normalize(value)
        except forms.ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise forms.ValidationError(errors)


class CompanyForm(CustomerRecordForm):
    custom_target = "contacts.company"

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        check_each([phone], normalize_phone)
        return phone

    address_kind = forms.ChoiceField(
        label=_("Address type"), choices=AddressKind.choices, initial=AddressKind.OFFICE
    )
    street = forms.CharField(label=_("Street and house"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(
        label=_("Country (2 letters)"), max_length=2, min_length=2, required=False
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "kind",
            "legal_name",
            "tax_number",
            "registry_number",
            "industry",
            "size",
            "territory",
            "branch",
            "website",
            "phone",
            "email",
            "curator",
            "team",
            "source",
            "source_detail",
            "notes",
        ]
        field_classes = {"curator": UserChoiceField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "curator": user_select()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        address = self.instance.addresses.first() if self.instance.pk else None
        if address:
            self.initial.update(
                address_kind=address.kind, **{f: getattr(address, f) for f in ADDRESS_FIELDS}
            )

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        address = {f: self.cleaned_data.get(f, "") for f in ADDRESS_FIELDS}
        address["kind"] = self.cleaned_data.get("address_kind") or AddressKind.OFFICE
        data["addresses"] = [address] if any(address[f] for f in ADDRESS_FIELDS) else []
        return data


class PersonForm(CustomerRecordForm):
    custom_target = "contacts.person"
    emails_text = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main one."),
    )
    phones_text = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, with the country code; the first is the main one."),
    )
    company = ScopedModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
    )

    class Meta:
        model = Person
        fields = [
            "first_name",
            "middle_name",
            "last_name",
            "position",
            "birthday",
            "preferred_channel",
            "preferred_language",
            "curator",
            "team",
            "source",
            "source_detail",
            "notes",
        ]
        field_classes = {"curator": UserChoiceField}
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "curator": user_select(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.restrict(self.user)
        if self.instance.pk:
            del self.fields["company"]
            self.initial["emails_text"] = "\n".join(
                self.instance.emails.values_list("email", flat=True)
            )
            self.initial["phones_text"] = "\n".join(
                self.instance.phones.values_list("number", flat=True)
            )

    def clean_emails_text(self):
        text = self.cleaned_data.get("emails_text", "")
        check_each(split_lines(text), normalize_email)
        return text

    def clean_phones_text(self):
        text = self.cleaned_data.get("phones_text", "")
        check_each(split_lines(text), normalize_phone)
        return text

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["emails"] = split_lines(self.cleaned_data.get("emails_text", ""))
        data["phones"] = split_lines(self.cleaned_data.get("phones_text", ""))
        company = self.cleaned_data.get("company")
        if company is not None:
            data["companies"] = [(company, self.cleaned_data.get("position", ""))]
        return data


class EmploymentForm(forms.Form):
    company = ScopedModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
    )
    position = forms.CharField(label=_("Role or position"), max_length=150, required=False)
    is_primary = forms.BooleanField(label=_("Main company"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.restrict(user)


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    is_granted = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("1", _("given")), ("0", _("withdrawn"))],
        coerce=lambda v: v == "1",
    )
    method = forms.ChoiceField(label=_("How it was obtained"), choices=ConsentMethod.choices)
    text = forms.CharField(
        label=_("Consent text"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    other = ScopedModelChoiceField(label=_("Duplicate to merge into this record"), queryset=None)

    def __init__(self, *args, queryset, autocomplete_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = queryset
        self.fields["other"].widget = AutocompleteSelect(autocomplete_url)


class BulkActionForm(forms.Form):
    ACTIONS = [("assign_curator", _("Assign curator")), ("add_tag", _("Add tag"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = forms.CharField(widget=forms.HiddenInput, required=False)
    select_all = forms.BooleanField(required=False)
    curator = UserChoiceField(
        label=_("Curator"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        required=False,
        empty_label=format_lazy("{}…", _("Curator")),
        widget=user_select(**{"class": "form-select form-select-sm", "aria-label": _("Curator")}),
    )
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign_curator" and not data.get("curator"):
            self.add_error("curator", _("Choose the new curator."))
        if data.get("action") == "add_tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Type the tag to add."))
        try:
            data["id_list"] = [int(i) for i in (data.get("ids") or "").split(",") if i.strip()]
        except ValueError:
            self.add_error(None, _("The selection is not valid; reload the page."))
        if not data.get("select_all") and not data.get("id_list"):
            self.add_error(None, _("Select at least one record."))
        return data
