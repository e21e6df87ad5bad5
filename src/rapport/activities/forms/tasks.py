"""The task form: what, who (a person or a department's queue), when, the checklist, and the
record it is about (fixed once the task exists)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.accounts.forms import UserChoiceField, user_select
from rapport.accounts.models import Department, User
from rapport.activities.choices import TaskPriority
from rapport.contacts.models import Company, Person
from rapport.core.forms import AutocompleteSelect, ScopedModelChoiceField

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def checklist_lines(items) -> str:
    return "\n".join(item.get("text", "") for item in items or [])


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        widget=user_select(),
    )
    department = forms.ModelChoiceField(
        label=_("or a department's queue"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("The task waits there until one of the department's people takes it."),
    )
    due_at = _datetime_field(pgettext_lazy("deadline", "Due"))
    remind_at = _datetime_field(_("Remind at"), _("Before the due time."))
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=TaskPriority.choices,
        coerce=int,
        initial=TaskPriority.NORMAL,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line."),
    )
    company = ScopedModelChoiceField(
        label=_("About a company"),
        queryset=Company.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:company_autocomplete")),
    )
    person = ScopedModelChoiceField(
        label=_("About a person"),
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect(reverse_lazy("contacts:person_autocomplete")),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, task=None, record=None, **kwargs):
        self.user, self.task, self.record = user, task, record
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_active=True)
        self.fields["department"].queryset = Department.objects.all()
        if task is not None or record is not None:
            # What a task is about is chosen where it is created (the record's card).
            del self.fields["company"], self.fields["person"]
        else:
            self.fields["company"].queryset = Company.objects.restrict(user)
            self.fields["person"].queryset = Person.objects.restrict(user)
        if task is None:
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        if data.get("assignee") and data.get("department"):
            self.add_error("department", _("Choose a person or a department's queue, not both."))
        return data

    def checklist_items(self) -> list[dict]:
        """The typed lines as checklist items; a line kept from before keeps its tick."""
        done = {
            item.get("text")
            for item in (self.task.checklist if self.task else [])
            if item.get("done")
        }
        lines = [line.strip() for line in self.cleaned_data.get("checklist", "").splitlines()]
        return [{"text": line, "done": line in done} for line in lines if line]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["checklist"] = self.checklist_items()
        if self.task is not None:
            # The box shows minutes: a time left as it was keeps its seconds (and an overdue
            # task stays editable, its reminder not sent again).
            for name in ("due_at", "remind_at"):
                old, new = getattr(self.task, name), data.get(name)
                if old and new and old.replace(second=0, microsecond=0) == new:
                    data[name] = old
        else:
            if self.record is not None:
                data["record"] = self.record
            for name in ("company", "person"):
                if data.get(name) is None:
                    data.pop(name, None)
        return data
