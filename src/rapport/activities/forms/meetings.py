"""Forms of meetings: plan or change one, mark it held, send the invitations, record an answer."""

from __future__ import annotations

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.forms import UserOptions
from rapport.accounts.models import User
from rapport.activities.choices import MeetingKind, Response
from rapport.contacts.models import Company, Person
from rapport.core.forms import AutocompleteSelect, ScopedModelChoiceField

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
REMINDERS = [
    ("", _("No reminder")),
    ("5", _("5 minutes before")),
    ("15", _("15 minutes before")),
    ("30", _("30 minutes before")),
    ("60", _("1 hour before")),
    ("120", _("2 hours before")),
    ("1440", _("1 day before")),
]


def _moment(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """Several records chosen in one box; only the chosen ones are rendered as options."""


class UsersField(UserOptions, forms.ModelMultipleChoiceField):
    pass


class PeopleField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose people from the list; one of them is not available."),
        "invalid_pk_value": _("Choose people from the list; one of them is not available."),
    }


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _moment(_("Starts"))
    ends_at = _moment(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    link = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A video call or a map, for example."),
    )
    users = UsersField(
        label=_("Our participants"),
        queryset=User.objects.none(),
        required=False,
        widget=AutocompleteSelectMultiple(
            reverse_lazy("accounts:user_autocomplete"), attrs={"data-preload": "focus"}
        ),
    )
    people = PeopleField(
        label=_("The customer's people"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelectMultiple(reverse_lazy("contacts:person_autocomplete")),
    )
    company = ScopedModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
    )
    reminder = forms.ChoiceField(label=_("Reminder"), choices=REMINDERS, required=False)
    description = forms.CharField(
        label=_("Agenda"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, meeting=None, record=None, **kwargs):
        self.user, self.meeting, self.record = user, meeting, record
        if meeting is not None and not kwargs.get("data") and not args:
            kwargs.setdefault("initial", self.initial_from(meeting))
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(is_active=True)
        self.fields["people"].queryset = Person.objects.restrict(user)
        self.fields["company"].queryset = Company.objects.restrict(user)
        if record is not None or (meeting is not None and meeting.content_type_id):
            # What the meeting is about comes from its record.
            del self.fields["company"]

    @staticmethod
    def initial_from(meeting) -> dict:
        rows = list(meeting.participants.values_list("user_id", "person_id"))
        reminder = ""
        if meeting.remind_at:
            minutes = int((meeting.starts_at - meeting.remind_at).total_seconds() // 60)
            choices = [int(v) for v, _label in REMINDERS if v]
            reminder = str(min(choices, key=lambda c: abs(c - minutes)))
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "place": meeting.place,
            "link": meeting.link,
            "users": [u for u, _p in rows if u],
            "people": [p for _u, p in rows if p],
            "company": meeting.company_id,
            "reminder": reminder,
            "description": meeting.description,
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        minutes = data.pop("reminder", "")
        starts_at = data.get("starts_at")
        data["remind_at"] = (
            starts_at - datetime.timedelta(minutes=int(minutes)) if minutes and starts_at else None
        )
        data["users"] = list(data.get("users") or [])
        data["people"] = list(data.get("people") or [])
        if "company" not in self.fields:
            data.pop("company", None)
        return data


class HeldForm(forms.Form):
    notes = forms.CharField(
        label=_("What was agreed"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteForm(forms.Form):
    people = forms.TypedMultipleChoiceField(
        label=_("Invite"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [
            (row.person_id, str(row.person)) for row in participants if row.person_id
        ]


class AnswerForm(forms.Form):
    """A participant's answer, as the organizer's side heard it (one form per participant)."""

    participant = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.ChoiceField(label=_("answer"), choices=Response.choices)
