"""Forms of orders, invoices, payments, shipments and the document settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.orders.models import NumberSequence, Payment, SellerDetails
from rapport.orders.services.invoices import plain

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuantitiesForm(forms.Form):
    """One quantity field per order line, at most what is left of it (``remaining``)."""

    def __init__(self, *args, order_lines, remaining, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = []
        for line in order_lines:
            left = remaining(line)
            name = f"line_{line.pk}"
            self.fields[name] = forms.DecimalField(
                label=line.description,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=3,
                initial=plain(left) if left > 0 else "0",
                required=False,
                help_text=_("Left: %(left)s %(unit)s") % {"left": plain(left), "unit": line.unit},
            )
            self.order_lines.append((line, name, left))

    def lines(self) -> list[dict]:
        return [
            {"order_line": line, "quantity": self.cleaned_data.get(name) or Decimal(0)}
            for line, name, _left in self.order_lines
        ]

    def quantity_fields(self):
        return [(line, self[name], left) for line, name, left in self.order_lines]


class InvoiceCreateForm(QuantitiesForm):
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvoiceLinesForm(forms.Form):
    """The quantities of a draft invoice, one field per order line it holds or could hold
    (``rows``: selectors.DraftRow). The fields are plain text: the service reads and checks the
    numbers, with the same rules and messages as for the API."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            name = f"line_{row.order_line.pk}"
            self.fields[name] = forms.CharField(
                label=row.order_line.description,
                required=False,
                max_length=30,
                initial=plain(row.quantity),
            )
            self.rows.append((row, name))

    def lines(self) -> list[dict]:
        """What to give invoice_update: every row, an empty field as zero, a row the request
        did not send as it was."""
        lines = []
        for row, name in self.rows:
            if name in self.data:
                value = self.cleaned_data.get(name, "").strip() or "0"
            else:
                value = row.quantity
            lines.append({"order_line": row.order_line, "quantity": value})
        return lines

    def row_fields(self):
        return [(row, self[name]) for row, name in self.rows]


class InvoiceNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrderNotesForm(InvoiceNotesForm):
    pass


class ShipmentCreateForm(QuantitiesForm):
    planned_on = forms.DateField(label=_("Planned date"), required=False, widget=DATE)
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=100)
    address = forms.CharField(label=_("Delivery address"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def details(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("planned_on", "carrier", "tracking_number", "address", "note")
        }


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["amount", "currency", "paid_on", "method", "reference", "note"]
        widgets = {"paid_on": DATE}


class NumberSequenceForm(forms.ModelForm):
    class Meta:
        model = NumberSequence
        fields = ["prefix", "digits", "next_number", "restarts_yearly"]


class SellerDetailsForm(forms.ModelForm):
    class Meta:
        model = SellerDetails
        fields = [
            "name",
            "legal_address",
            "registry_number",
            "tax_number",
            "bank_name",
            "iban",
            "swift",
            "email",
            "phone",
            "website",
            "payment_days",
            "proposal_valid_days",
        ]
