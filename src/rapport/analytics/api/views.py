"""The forecast and the reports as JSON (the same rows as the pages)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.analytics.api.serializers import ForecastSerializer, ReportSerializer
from rapport.analytics.forecast import build_forecast
from rapport.analytics.forms import ForecastForm
from rapport.analytics.reports import get_report
from rapport.analytics.views import report_form, run_report
from rapport.core.money import base_currency

PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)."),
]


def _valid(form):
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.period()


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


class ForecastAPIView(APIView):
    """Weighted pipeline, forecast from history and won revenue per month or quarter."""

    @extend_schema(
        operation_id="forecast_retrieve",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter"]),
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                enum=["owner", "team", "pipeline"],
                description="Per rep, team or pipeline; omitted: the whole company.",
            ),
        ],
        responses=ForecastSerializer,
        description=(
            "Default range: this year. Only the deals the caller may see are counted. Amounts "
            "are in the base currency; a missing exchange rate answers 400 "
            "(code missing_exchange_rate)."
        ),
    )
    def get(self, request):
        params = request.query_params
        form = ForecastForm(params if params else None)
        start, end = _valid(form)
        data = form.cleaned_data if form.is_bound else {}
        period, group_by = data.get("period") or "month", data.get("group_by") or ""
        forecast = build_forecast(
            request.user, start=start, end=end, period=period, group_by=group_by
        )
        body = {
            "base_currency": base_currency(),
            "period": period,
            "group_by": group_by,
            "date_from": start,
            "date_to": end,
            "rows": forecast.rows(),
            "totals": [{**t, "group": ""} for t in forecast.totals()],
        }
        return Response(ForecastSerializer(body).data)


class ReportAPIView(APIView):
    """One sales report: its columns and rows."""

    report_name = ""

    def get(self, request, **kwargs):
        report = get_report(self.report_name)
        params = request.query_params
        form = report_form(report.name, params if params else None)
        start, end = _valid(form)
        result = run_report(report, form, request.user)
        body = {
            "name": report.name,
            "title": str(report.title),
            "note": str(result.note),
            "base_currency": base_currency(),
            "date_from": start,
            "date_to": end,
            "columns": [
                {k: str(v) for k, v in asdict(c).items() if k != "link"} for c in result.columns
            ],
            "rows": [{k: _plain(v) for k, v in row.items()} for row in result.rows],
        }
        return Response(ReportSerializer(body).data)


def report_view(name: str, title, description):
    """A view class per report, so that each one is documented on its own."""
    parameters = list(PERIOD_PARAMETERS)
    if name == "customer-history":
        parameters.append(
            OpenApiParameter(
                "company",
                OpenApiTypes.INT,
                description="One customer's deals; omitted: the top 50.",
            )
        )
    operation = name.replace("-", "_")
    schema = extend_schema(
        operation_id=f"reports_{operation}_retrieve",
        summary=str(title),
        description=f"{description} Default range: the last 12 months; amounts in the base "
        "currency.",
        parameters=parameters,
        responses=ReportSerializer,
    )

    def get(self, request, **kwargs):
        return ReportAPIView.get(self, request, **kwargs)

    view = type(
        f"Report{operation.title().replace('_', '')}APIView",
        (ReportAPIView,),
        {"report_name": name, "get": schema(get)},
    )
    return view.as_view()
