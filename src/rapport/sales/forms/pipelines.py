"""Administration forms: pipelines, their stages, reasons for losing."""

from __future__ import annotations

from django import forms

from rapport.sales.models import LostReason, Pipeline, Stage


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "deal_noun", "deal_noun_plural", "currency", "position", "is_active"]


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "probability", "kind", "position"]
        widgets = {
            "probability": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "position": forms.NumberInput(attrs={"min": 0}),
        }


class LostReasonForm(forms.ModelForm):
    class Meta:
        model = LostReason
        fields = ["name", "is_active"]
