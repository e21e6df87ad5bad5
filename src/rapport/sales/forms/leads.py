"""Forms for leads: edit, disqualify, convert, assign, import; the public web form; intake admin."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import UserChoiceField, user_select
from rapport.accounts.models import Team, User
from rapport.contacts.models import Company, Person
from rapport.core.forms import AutocompleteSelect, ScopedModelChoiceField
from rapport.sales.choices import DisqualifyReason, StageKind
from rapport.sales.models import DistributionRule, Lead, LeadWebForm, Pipeline, Stage

LEAD_FORM_FIELDS = [
    "first_name",
    "last_name",
    "company_name",
    "position",
    "email",
    "phone",
    "website",
    "industry",
    "territory",
    "language",
    "source",
    "source_detail",
    "campaign",
    "owner",
    "team",
    "message",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
]


class LeadForm(forms.ModelForm):
    """Create or edit a lead. Empty "assigned to" lets the distribution rules decide."""

    class Meta:
        model = Lead
        fields = LEAD_FORM_FIELDS
        widgets = {"owner": user_select(), "message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        self.fields["owner"].help_text = _("Leave empty: the distribution rules decide.")
        self.fields["team"].queryset = Team.objects.all()

    def _post_clean(self):
        # The service validates the whole lead (and normalises the e-mail and phone first).
        pass

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in LEAD_FORM_FIELDS}


class DisqualifyForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *DisqualifyReason.choices], required=True
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    user = UserChoiceField(label=_("Assign to"), queryset=User.objects.none(), widget=user_select())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True)
        if not actor.sees_everything:
            users = users.filter(pk__in=actor.department_user_ids)
        self.fields["user"].queryset = users


class ConvertForm(forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True)
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.filter(kind=StageKind.OPEN, pipeline__is_active=True)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline__name", "position"),
        required=False,
        help_text=_("Empty: the pipeline's first stage."),
    )
    deal_name = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    company = ScopedModelChoiceField(
        label=_("Link to an existing company"),
        queryset=Company.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
        help_text=_("Empty: a new company is made from the lead (if it names one)."),
    )
    person = ScopedModelChoiceField(
        label=_("Link to an existing person"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:person_autocomplete")),
        help_text=_("Empty: a new person is made from the lead (if it names one)."),
    )
    confirm_new = forms.BooleanField(
        label=_("I checked the similar customers above; create new records anyway"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.restrict(user)
        self.fields["person"].queryset = Person.objects.restrict(user)
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} — {s.name}"

    def clean(self):
        data = super().clean()
        stage, pipeline = data.get("stage"), data.get("pipeline")
        if stage and pipeline and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("Choose an open stage of the chosen pipeline."))
        return data


class LeadImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "First row: column names — first_name, last_name, company, position, email, phone, "
            "website, industry, source, campaign, message, utm_source, utm_medium, utm_campaign, "
            "utm_term, utm_content."
        ),
    )
    campaign = forms.CharField(
        label=_("Campaign"),
        max_length=100,
        required=False,
        help_text=_("For the rows that name none."),
    )


class PublicLeadForm(forms.Form):
    """What a visitor fills in on the public form; ``url`` is a trap only robots fill."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.CharField(required=False, max_length=300)  # the honeypot
    token = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    utm_source = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_medium = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_term = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    utm_content = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    VISIBLE = ("first_name", "last_name", "company_name", "email", "phone", "message")


class WebFormAdminForm(forms.ModelForm):
    class Meta:
        model = LeadWebForm
        fields = ["name", "key", "team", "campaign", "thank_you_message", "is_active"]


class DistributionRuleForm(forms.ModelForm):
    class Meta:
        model = DistributionRule
        fields = [
            "name",
            "position",
            "is_active",
            "territory",
            "industry",
            "web_form",
            "source",
            "method",
            "team",
            "user",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True, team__isnull=False)
        self.fields["user"].help_text = _("Only for “to one person”: a member of the team.")
