"""Forms of the processes app: templates and their stages, starting, skipping, the schedule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.accounts.forms import UserChoiceField, user_select
from rapport.accounts.models import Department, User
from rapport.core import records
from rapport.processes.models import ProcessStageTemplate, ProcessTemplate

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def datetime_field(label, required=True) -> forms.DateTimeField:
    # A datetime-local box: no seconds, no zone (the site's time zone).
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def record_type_choices() -> list[tuple[str, str]]:
    return [(t.label, t.verbose_name.capitalize()) for t in records.record_types()]


class LinesField(forms.CharField):
    """A list of short texts typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return [
            line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()
        ]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value


class TemplateForm(forms.ModelForm):
    record_type = forms.ChoiceField(label=_("Applies to"), choices=())
    controller = UserChoiceField(
        queryset=User.objects.filter(is_active=True),
        label=_("Controller"),
        required=False,
        widget=user_select(),
        help_text=_("Owns every process of this template; empty: whoever starts it."),
    )

    class Meta:
        model = ProcessTemplate
        fields = ["name", "record_type", "controller", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = record_type_choices()


class StageTemplateForm(forms.ModelForm):
    executor_user = UserChoiceField(
        queryset=User.objects.filter(is_active=True),
        label=pgettext_lazy("employee", "Person"),
        required=False,
        widget=user_select(),
    )
    checklist = LinesField(label=_("Checklist"), help_text=_("One item per line."))
    documents = LinesField(label=_("Documents needed"), help_text=_("One document per line."))

    class Meta:
        model = ProcessStageTemplate
        fields = [
            "name",
            "executor_role",
            "executor_department",
            "executor_user",
            "duration_value",
            "duration_unit",
            "checklist",
            "documents",
            "is_skippable",
        ]
        labels = {"executor_role": _("Executor: a role")}
        help_texts = {
            "executor_role": _("Choose exactly one executor: a role, a department or a person.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executor_department"].label = _("or a department")
        self.fields["executor_user"].label = _("or a person")
        self.fields["duration_value"].widget.attrs.update(min=1, max=10000)


class ProcessStartForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ProcessTemplate.objects.none(), label=_("Process"), empty_label=None
    )
    start_at = datetime_field(_("Starts at"), required=False)

    def __init__(self, *args, record_type: str = "", exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        qs = ProcessTemplate.objects.filter(is_active=True).exclude(pk__in=list(exclude))
        self.fields["template"].queryset = qs.filter(record_type=record_type) if record_type else qs


class SkipForm(forms.Form):
    # Not required here: the service refuses an empty reason with its own message.
    reason = forms.CharField(
        label=_("Reason for skipping"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=500)


class StageScheduleForm(forms.Form):
    planned_start = datetime_field(_("Planned start"))
    planned_end = datetime_field(_("Planned end"))
    executor_user = UserChoiceField(
        queryset=User.objects.filter(is_active=True),
        label=_("Executor: a person"),
        required=False,
        widget=user_select(),
    )
    executor_department = forms.ModelChoiceField(
        queryset=Department.objects.all(), label=_("or a department's queue"), required=False
    )

    def __init__(self, *args, started: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if started:
            # The stage has started: its start is history.
            self.fields["planned_start"].disabled = True
