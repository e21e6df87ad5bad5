"""The webhook form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.integrations.models import Webhook


class WebhookForm(forms.ModelForm):
    events_text = forms.CharField(
        label=_("Events"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. company.created, person.updated; empty means all events."),
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["events_text"] = "\n".join(self.instance.events or [])

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith(("http://", "https://")):
            raise forms.ValidationError(_("Use an http:// or https:// address."))
        return url
