"""Output of the forecast and report API (read-only: the forecast and reports change nothing)."""

from rest_framework import serializers


class ForecastRowSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="First day of the month or quarter.")
    label = serializers.CharField()
    group = serializers.CharField(help_text="The rep, team or pipeline; empty for the company.")
    pipeline = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Open deals' amount (expected to close then)."
    )
    weighted = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Open amount × probability."
    )
    history = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Forecast from the history of closed deals."
    )
    won = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Won revenue.")


class ForecastSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    period = serializers.ChoiceField(choices=["month", "quarter"])
    group_by = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    rows = ForecastRowSerializer(many=True)
    totals = ForecastRowSerializer(many=True)


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["text", "int", "money", "percent", "days", "date", "quantity"]
    )


class ReportSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    base_currency = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    columns = ReportColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="One object per row, keyed by the columns' keys (amounts as decimal strings).",
    )
