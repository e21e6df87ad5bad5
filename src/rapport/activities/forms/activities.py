"""The form for logging a call, meeting, e-mail or note."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.activities.models import Activity


class ActivityForm(forms.ModelForm):
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    class Meta:
        model = Activity
        fields = ["kind", "direction", "subject", "occurred_at", "duration_minutes", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )
            self.initial.setdefault("kind", "call")
        self.fields["duration_minutes"].widget.attrs["max"] = 24 * 60

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value and value > timezone.now() + timezone.timedelta(days=366):
            raise forms.ValidationError(_("The date is too far in the future."))
        return value
