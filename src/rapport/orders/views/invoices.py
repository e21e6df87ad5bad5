"""Invoices: the list (overdue filter), the card, making one from an order, editing a draft's
quantities, issuing, cancelling, payments against it, and its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRefresh

from rapport.core import scoping
from rapport.core.cards import card_sections
from rapport.core.errors import DomainError, ValidationError
from rapport.core.services import etag_for
from rapport.core.views import (
    FilteredListMixin,
    ScopedMixin,
    WriterRequiredMixin,
    domain_error_to_form,
)
from rapport.orders import selectors
from rapport.orders.choices import INVOICE_MOVES, InvoiceStatus
from rapport.orders.filtersets.documents import INVOICE_SORTS, InvoiceFilterSet
from rapport.orders.forms.documents import (
    InvoiceCreateForm,
    InvoiceLinesForm,
    InvoiceNotesForm,
    PaymentForm,
)
from rapport.orders.models import Invoice, Order, Payment
from rapport.orders.services.invoices import (
    invoice_cancel,
    invoice_create,
    invoice_issue,
    invoice_update,
)
from rapport.orders.services.payments import may_delete_payment, payment_create, payment_delete
from rapport.orders.views.orders import can_change, error_message


class InvoiceListView(FilteredListMixin, TemplateView):
    model = Invoice
    filterset_class = InvoiceFilterSet
    sort_fields = INVOICE_SORTS
    default_sort = "-date"
    template_name = "orders/invoice_list.html"

    def scoped_queryset(self, action=None):
        return super().scoped_queryset(action).select_related("company", "person", "order")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "page": self.page(),
            "filter": self.filterset,
            "sort": self.sort_key(),
            "query_without_sort": self.query_without("sort", "page"),
            "query_without_page": self.query_without("page"),
        }


def lines_editor_context(invoice: Invoice, form=None, errors=None) -> dict:
    """The draft's quantities editor (``orders/invoice_lines.html``): a fresh form, or the one
    the user sent with what was wrong with it."""
    rows = selectors.draft_invoice_rows(invoice)
    return {
        "invoice": invoice,
        "lines_form": form or InvoiceLinesForm(rows=rows),
        "line_errors": errors or [],
        "etag": etag_for(invoice),
    }


class InvoiceDetailView(ScopedMixin, TemplateView):
    model = Invoice
    template_name = "orders/invoice_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        invoice = self.get_scoped_object()
        invoice = Invoice.objects.select_related("order", "company", "person", "owner").get(
            pk=invoice.pk
        )
        writable = can_change(user, invoice)
        payments = list(Payment.objects.restrict(user).filter(invoice=invoice))
        for payment in payments:
            payment.can_delete = writable and may_delete_payment(user, payment)
        payable = writable and invoice.status in (
            InvoiceStatus.ISSUED,
            InvoiceStatus.PARTIALLY_PAID,
        )
        editor = {}
        if writable and invoice.status == InvoiceStatus.DRAFT:
            editor = lines_editor_context(invoice)
        return {
            **super().get_context_data(**kwargs),
            **editor,
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": payments,
            "can_change": writable,
            "is_draft": invoice.status == InvoiceStatus.DRAFT,
            "can_issue": writable and InvoiceStatus.ISSUED in INVOICE_MOVES[invoice.status],
            "can_cancel": writable
            and InvoiceStatus.CANCELLED in INVOICE_MOVES[invoice.status]
            and not invoice.amount_paid,
            "can_pay": payable,
            "payment_form": kwargs.get("payment_form")
            or PaymentForm(initial={"amount": invoice.amount_due, "currency": invoice.currency}),
            "notes_form": InvoiceNotesForm(initial={"notes": invoice.notes}),
            "card_sections": card_sections(self.request, invoice, can_change=writable),
        }


class InvoiceCreateView(WriterRequiredMixin, ScopedMixin, TemplateView):
    """An invoice for the order ``pk``: the quantities to invoice, prefilled with what is left."""

    model = Order
    action = scoping.CHANGE
    template_name = "orders/invoice_form.html"

    def form(self, order, data=None):
        return InvoiceCreateForm(
            data,
            order_lines=order.lines.all(),
            remaining=lambda line: line.quantity - line.quantity_invoiced,
        )

    def get(self, request, pk):
        order = self.get_scoped_object()
        return self.render_to_response({"order": order, "form": self.form(order)})

    def post(self, request, pk):
        order = self.get_scoped_object()
        form = self.form(order, request.POST)
        if form.is_valid():
            try:
                invoice = invoice_create(
                    actor=request.user,
                    order=order,
                    lines=form.lines(),
                    notes=form.cleaned_data["notes"],
                )
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Draft invoice created."))
                return redirect(invoice.get_absolute_url())
        return self.render_to_response({"order": order, "form": form}, status=422)


class InvoiceUpdateView(WriterRequiredMixin, ScopedMixin, View):
    """The notes of a draft (an issued or paid invoice is refused with a message)."""

    model = Invoice
    action = scoping.CHANGE

    def post(self, request, pk):
        invoice = self.get_scoped_object()
        form = InvoiceNotesForm(request.POST)
        if form.is_valid():
            try:
                notes = form.cleaned_data["notes"]
                invoice_update(actor=request.user, invoice=invoice, notes=notes)
            except (ValidationError, DomainError) as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, _("Saved."))
        return redirect(invoice.get_absolute_url())


class InvoiceLinesView(WriterRequiredMixin, ScopedMixin, View):
    """Save a draft's quantities (the card's editor; htmx answers with the editor again)."""

    model = Invoice
    action = scoping.CHANGE

    def post(self, request, pk):
        invoice = self.get_scoped_object()
        form = InvoiceLinesForm(request.POST, rows=selectors.draft_invoice_rows(invoice))
        errors = []
        if not form.is_valid():
            errors = [m for field_errors in form.errors.values() for m in field_errors]
        else:
            try:
                invoice = invoice_update(
                    actor=request.user,
                    invoice=invoice,
                    lines=form.lines(),
                    if_match=request.POST.get("etag") or None,
                )
            except (ValidationError, DomainError) as exc:
                errors = exc.messages if isinstance(exc, ValidationError) else [exc.message]
        invoice = Invoice.objects.get(pk=invoice.pk)
        if invoice.status != InvoiceStatus.DRAFT:
            # Issued or cancelled meanwhile: the whole card changes, not only the editor.
            if errors:
                messages.error(request, " ".join(str(e) for e in errors))
            return HttpResponseClientRefresh() if request.htmx else redirect(invoice)
        if request.htmx:
            context = lines_editor_context(invoice, form if errors else None, errors)
            context["saved"] = not errors
            return TemplateResponse(request, "orders/invoice_lines.html", context)
        if errors:
            messages.error(request, " ".join(str(e) for e in errors))
        else:
            messages.success(request, _("The quantities are saved."))
        return redirect(invoice.get_absolute_url())


class InvoiceMoveView(WriterRequiredMixin, ScopedMixin, View):
    """``to`` = issue or cancel."""

    model = Invoice
    action = scoping.CHANGE

    def post(self, request, pk):
        invoice = self.get_scoped_object()
        services = {"issue": invoice_issue, "cancel": invoice_cancel}
        service = services.get(request.POST.get("to", ""))
        if service is None:
            messages.error(request, _("Unknown action."))
            return redirect(invoice.get_absolute_url())
        try:
            invoice = service(actor=request.user, invoice=invoice)
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(
                request,
                _("Invoice %(number)s is now %(status)s.")
                % {"number": invoice, "status": invoice.get_status_display()},
            )
        return redirect(invoice.get_absolute_url())


class InvoicePdfView(ScopedMixin, View):
    model = Invoice

    def get(self, request, pk):
        invoice = self.get_scoped_object()
        return selectors.pdf_response(selectors.invoice_pdf(invoice), invoice)


class PaymentCreateView(WriterRequiredMixin, ScopedMixin, View):
    """Record a payment against the invoice ``pk`` (the form is on the invoice card)."""

    model = Invoice
    action = scoping.CHANGE

    def post(self, request, pk):
        invoice = self.get_scoped_object()
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                payment_create(actor=request.user, invoice=invoice, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect(invoice.get_absolute_url())
        view = InvoiceDetailView(request=request, kwargs={"pk": pk})
        context = view.get_context_data(pk=pk, payment_form=form)
        response = view.render_to_response(context, status=422)
        return response


class PaymentDeleteView(WriterRequiredMixin, ScopedMixin, View):
    model = Payment
    action = scoping.CHANGE

    def post(self, request, pk):
        payment = self.get_scoped_object()
        if not may_delete_payment(request.user, payment):
            raise Http404  # only administrators and the owner take a payment back
        payment_delete(actor=request.user, payment=payment)
        messages.success(request, _("Payment deleted."))
        return redirect(payment.get_absolute_url())
