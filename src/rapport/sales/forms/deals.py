"""Deal forms: the deal itself, a move on the board, and the people around a deal."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import UserChoiceField, user_select
from rapport.accounts.models import Team, User
from rapport.contacts.choices import Source
from rapport.contacts.models import Company, Person
from rapport.core.forms import AutocompleteSelect, ScopedModelChoiceField
from rapport.core.money import Currency
from rapport.sales.choices import DealContactRole, ParticipantRole
from rapport.sales.models import LostReason, Pipeline, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _company_field(label, required=False):
    return ScopedModelChoiceField(
        label=label,
        queryset=Company.objects.none(),
        required=required,
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
    )


def _person_field(label, required=False):
    return ScopedModelChoiceField(
        label=label,
        queryset=Person.objects.none(),
        required=required,
        widget=AutocompleteSelect(reverse_lazy("contacts:person_autocomplete")),
    )


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pipeline.name}: {obj.name}"


class DealForm(forms.Form):
    """All a user edits on a deal; ``version`` is the ETag it was opened at (stale forms)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none())
    stage = StageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        required=False,
        help_text=_("Empty: the pipeline's first stage."),
    )
    company = _company_field(_("Customer (company)"))
    person = _person_field(_("Customer (person)"))
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal(0), initial=0
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, required=False)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=DATE
    )
    probability = forms.IntegerField(
        label=_("Probability, %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: the stage's probability."),
    )
    source = forms.ChoiceField(label=_("Lead source"), choices=Source.choices, initial="manual")
    campaign = forms.CharField(label=_("Campaign"), max_length=100, required=False)
    owner = UserChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, widget=user_select()
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    lost_reason = forms.ModelChoiceField(
        label=_("Reason for losing"), queryset=LostReason.objects.none(), required=False
    )
    lost_note = forms.CharField(label=_("Note on losing"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_active=True)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline").order_by(
            "pipeline__position", "pipeline__name", "position", "pk"
        )
        self.fields["company"].queryset = Company.objects.restrict(user)
        self.fields["person"].queryset = Person.objects.restrict(user)
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        self.fields["team"].queryset = Team.objects.all()
        self.fields["lost_reason"].queryset = LostReason.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if not data.get("company") and not data.get("person") and not self.errors.get("company"):
            self.add_error("company", _("Choose the customer: a company or a person (or both)."))
        if not data.get("currency"):
            data.pop("currency", None)
        return data

    def service_kwargs(self, *, creating: bool) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if creating:
            # Empty means "the default" on a new deal (first stage, the author, the team).
            for name in ("stage", "owner", "team"):
                if data.get(name) is None:
                    data.pop(name, None)
        return data


class MoveForm(forms.Form):
    """A card dropped on another column (and, for a lost stage, why)."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.select_related("pipeline"))
    lost_reason = forms.ModelChoiceField(
        label=_("Reason for losing"),
        queryset=LostReason.objects.filter(is_active=True),
        required=False,
    )
    lost_note = forms.CharField(label=_("Note"), max_length=500, required=False)
    version = forms.CharField(required=False)


class DealContactForm(forms.Form):
    person = _person_field(_("Person"), required=True)
    role = forms.ChoiceField(label=_("Role"), choices=DealContactRole.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.restrict(user)


class DealParticipantForm(forms.Form):
    user = UserChoiceField(
        label=_("Colleague"), queryset=User.objects.none(), required=False, widget=user_select()
    )
    partner = _company_field(_("Partner company"))
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True)
        self.fields["partner"].queryset = Company.objects.restrict(user)

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("partner"):
            raise forms.ValidationError(_("Choose a colleague or a partner company."))
        return data


class DealCompetitorForm(forms.Form):
    company = _company_field(_("Competitor"), required=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.restrict(user)
