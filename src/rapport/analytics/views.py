"""Pages of the forecast and the sales reports (charts, tables, XLSX export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from rapport.analytics.forecast import build_forecast
from rapport.analytics.forms import CustomerForm, ForecastForm, PeriodForm
from rapport.analytics.reports import REPORTS, Context, get_report, to_xlsx
from rapport.catalog.rates import MissingExchangeRate, RateTable
from rapport.core.money import base_currency

# A page shows at most this many rows (a director's profit and loss has one per customer); the
# XLSX file and the API have them all.
PAGE_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Cell:
    value: object
    kind: str
    url: str = ""


def _form_data(request):
    return (
        request.GET if any(k in request.GET for k in ("from", "to", "period", "group_by")) else None
    )


class ForecastView(LoginRequiredMixin, TemplateView):
    template_name = "analytics/forecast.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ForecastForm(_form_data(self.request))
        context.update(form=form, base_currency=base_currency(), error="")
        if form.is_bound and not form.is_valid():
            context["error"] = form.error_text()
            return context
        start, end = form.period()
        data = form.cleaned_data if form.is_bound else {}
        try:
            forecast = build_forecast(
                self.request.user,
                start=start,
                end=end,
                period=data.get("period") or "month",
                group_by=data.get("group_by") or "",
            )
        except MissingExchangeRate as exc:
            context["error"] = str(exc.message)
            return context
        totals = forecast.totals()
        context.update(
            forecast=forecast,
            rows=forecast.rows(),
            totals=totals,
            grand_total=forecast.grand_total(),
            start=start,
            end=end,
            chart={
                "type": "bar",
                "categories": [t["label"] for t in totals],
                "series": [
                    {
                        "name": _("Weighted pipeline"),
                        "data": [float(t["weighted"]) for t in totals],
                    },
                    {
                        "name": _("Forecast from history"),
                        "data": [float(t["history"]) for t in totals],
                    },
                    {
                        "name": _("Won"),
                        "type": "line",
                        "data": [float(t["won"]) for t in totals],
                    },
                ],
            },
        )
        return context


class ReportIndexView(LoginRequiredMixin, TemplateView):
    template_name = "analytics/report_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reports=list(REPORTS.values()), **kwargs)


def report_form(name: str, data):
    return (CustomerForm if name == "customer-history" else PeriodForm)(data)


def run_report(report, form, user):
    """The report's result for a valid form (raises MissingExchangeRate, Http404)."""
    start, end = form.period()
    company = form.cleaned_data.get("company") if form.is_bound else None
    ctx = Context(user=user, start=start, end=end, rates=RateTable.load(), company=company)
    return report.build(ctx)


class ReportView(LoginRequiredMixin, TemplateView):
    template_name = "analytics/report.html"

    def get(self, request, *args, **kwargs):
        self.report = get_report(kwargs["name"])
        params = {k: v for k, v in request.GET.items() if k != "format"}
        self.form = report_form(self.report.name, params if params else None)
        self.error, self.result = "", None
        if self.form.is_bound and not self.form.is_valid():
            self.error = self.form.error_text()
        else:
            try:
                self.result = run_report(self.report, self.form, request.user)
            except MissingExchangeRate as exc:
                self.error = str(exc.message)
        if request.GET.get("format") == "xlsx" and self.result is not None:
            start, end = self.form.period()
            response = HttpResponse(to_xlsx(str(self.report.title), self.result), content_type=XLSX)
            filename = f"{self.report.name}-{start.isoformat()}-{end.isoformat()}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end = self.form.period()
        params = {"from": start.isoformat(), "to": end.isoformat()}
        company = (
            self.form.cleaned_data.get("company") if self.form.is_bound and not self.error else None
        )
        if company:
            params["company"] = company
        company_label = ""
        if company:
            from rapport.contacts.models import Company

            names = Company.objects.restrict(self.request.user).filter(pk=company)
            company_label = names.values_list("name", flat=True).first() or ""
        context.update(
            report=self.report,
            is_customer_report=self.report.name == "customer-history",
            company_label=company_label,
            form=self.form,
            error=self.error,
            result=self.result,
            base_currency=base_currency(),
            start=start,
            end=end,
            company=company,
            xlsx_query=urlencode({**params, "format": "xlsx"}),
        )
        if self.result is not None:
            rows = self.result.rows[:PAGE_ROWS]
            context["table"] = [
                [self._cell(row, column, params) for column in self.result.columns] for row in rows
            ]
            context.update(shown_rows=len(rows), total_rows=len(self.result.rows))
        return context

    @staticmethod
    def _cell(row, column, params) -> Cell:
        url = ""
        if column.link and row.get(column.link):
            url = "?" + urlencode({**params, "company": row[column.link]})
        value = row.get(column.key)
        if isinstance(value, Decimal | int | float | date) or value is None:
            return Cell(value, column.kind, url)
        return Cell(str(value), column.kind, url)
