"""Administrators' pages: document number sequences and the seller's details."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from rapport.core.errors import DomainError, ValidationError
from rapport.core.views import AdministratorRequiredMixin, domain_error_to_form
from rapport.orders.choices import DocumentKind
from rapport.orders.forms.documents import NumberSequenceForm, SellerDetailsForm
from rapport.orders.models import NumberSequence, SellerDetails
from rapport.orders.numbering import DEFAULT_PREFIXES
from rapport.orders.services.orders import number_sequence_save, seller_details_save


def _preview(sequence: NumberSequence) -> str:
    year = timezone.localdate().year
    number = 1 if sequence.restarts_yearly and sequence.year not in (None, year) else None
    number = number or sequence.next_number
    return f"{sequence.prefix.replace('{year}', str(year))}{number:0{sequence.digits}d}"


class NumberSequencesView(AdministratorRequiredMixin, TemplateView):
    """All sequences, one form each; POST ``kind`` saves that one."""

    template_name = "orders/settings_numbers.html"

    def sequences(self) -> list[NumberSequence]:
        existing = {s.kind: s for s in NumberSequence.objects.all()}
        return [
            existing.get(kind)
            or NumberSequence(kind=kind, prefix=DEFAULT_PREFIXES.get(kind, "{year}-"))
            for kind in DocumentKind.values
        ]

    def rows(self, bound=None):
        rows = []
        for sequence in self.sequences():
            form = bound if bound and bound.instance.kind == sequence.kind else None
            form = form or NumberSequenceForm(instance=sequence, prefix=sequence.kind)
            rows.append({"sequence": sequence, "form": form, "preview": _preview(sequence)})
        return rows

    def get(self, request):
        return self.render_to_response({"rows": self.rows()})

    def post(self, request):
        kind = request.POST.get("kind", "")
        sequence = next((s for s in self.sequences() if s.kind == kind), None)
        if sequence is None:
            messages.error(request, _("Unknown document."))
            return redirect("orders:settings_numbers")
        form = NumberSequenceForm(request.POST, instance=sequence, prefix=kind)
        if form.is_valid():
            try:
                number_sequence_save(actor=request.user, sequence=form.instance)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("orders:settings_numbers")
        return self.render_to_response({"rows": self.rows(form)}, status=422)


class SellerDetailsView(AdministratorRequiredMixin, TemplateView):
    template_name = "orders/settings_seller.html"

    def get(self, request):
        return self.render_to_response({"form": SellerDetailsForm(instance=SellerDetails.get())})

    def post(self, request):
        form = SellerDetailsForm(request.POST, instance=SellerDetails.get())
        if form.is_valid():
            try:
                seller_details_save(actor=request.user, details=form.instance)
            except (ValidationError, DomainError) as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("orders:settings_seller")
        return self.render_to_response({"form": form}, status=422)
