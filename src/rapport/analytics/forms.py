"""The filters of the forecast and the reports (shared by the pages and the API)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.analytics import periods

# A bound on the work one request may ask for.
MAX_DAYS = 366 * 5


class PeriodForm(forms.Form):
    """``from`` and ``to`` (ISO dates); empty: the default range of the page."""

    def __init__(self, data=None, *, default=periods.last_twelve_months, **kwargs):
        super().__init__(data, **kwargs)
        self.default = default
        dates = {
            "from": forms.DateField(
                label=_("Period from"), required=False, input_formats=["%Y-%m-%d"]
            ),
            "to": forms.DateField(
                label=_("Period until"), required=False, input_formats=["%Y-%m-%d"]
            ),
        }
        for field in dates.values():
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            field.error_messages["invalid"] = _("Enter a date as YYYY-MM-DD.")
        # The range shown when nothing is chosen, so that the page says which one it is.
        dates["from"].initial, dates["to"].initial = default()
        self.fields = {**dates, **self.fields}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = self.default()
        start = data.get("from") or start
        end = data.get("to") or end
        if start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        """The validated range; the default one while the form is not valid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default()

    def error_text(self) -> str:
        return " ".join(str(m) for errors in self.errors.values() for m in errors)


class ForecastForm(PeriodForm):
    period = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[(periods.MONTH, _("month")), (periods.QUARTER, _("quarter"))],
    )
    group_by = forms.ChoiceField(
        label=_("Show for"),
        required=False,
        choices=[
            ("", _("whole company")),
            ("owner", _("rep")),
            ("team", _("team")),
            ("pipeline", _("pipeline")),
        ],
    )

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("default", periods.this_year)
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or periods.MONTH
        return data


class CustomerForm(PeriodForm):
    """The sales history report can be narrowed to one customer."""

    company = forms.IntegerField(label=_("Customer"), required=False, min_value=1)
