"""Forms of hand-offs: hand a task over, return one with a reason."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Department
from rapport.activities.services.handoffs import REASON_LIMIT

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def default_deadline() -> datetime.datetime:
    """Tomorrow at the next full hour (site time zone): a working day for the other side."""
    local = timezone.localtime() + datetime.timedelta(days=1, hours=1)
    return local.replace(minute=0, second=0, microsecond=0)


class HandoffForm(forms.Form):
    to_department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        label=_("Hand over to"),
        empty_label=_("Choose a department"),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        help_text=_(
            "By then the department must have acknowledged and done it, or it goes to its head."
        ),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )
    note = forms.CharField(
        label=_("Note for the receiving department"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        own = getattr(user, "department_id_for_scope", None)
        if own:
            departments = departments.exclude(pk=own)
        self.fields["to_department"].queryset = departments
        self.initial.setdefault("deadline", default_deadline())


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you return it?"),
        # Checked by the service, whose message says what to do.
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
