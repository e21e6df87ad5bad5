"""Invoice writes: full or partial invoices from an order, issuing, editing drafts, cancelling."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.catalog.pricing import document_totals, line_amounts
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.money import parse_decimal
from rapport.core.services import ensure_in_scope, lock_for_change
from rapport.orders.choices import INVOICE_MOVES, DocumentKind, InvoiceStatus
from rapport.orders.models import Invoice, InvoiceLine, Order, OrderLine, SellerDetails
from rapport.orders.numbering import allocate_number
from rapport.orders.services.orders import check_move, lock_order, order_refresh

COPIED_LINE_FIELDS = (
    "position",
    "product_id",
    "description",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "cost_price",
)


def _labels():
    return {"document": _("invoice"), "choices": lambda v: InvoiceStatus(v).label}


def _quantity(value, line: OrderLine) -> tuple[Decimal | None, str | None]:
    """The quantity asked for ``line`` (empty: none), or the error that names the line."""
    try:
        quantity = parse_decimal(value, field="lines", default=Decimal(0))
    except ValidationError:
        quantity = None
    if quantity is None:
        return None, _("“%(line)s”: the quantity is not a number.") % {"line": line.description}
    if quantity < 0:
        return None, _("“%(line)s”: the quantity cannot be negative.") % {"line": line.description}
    if quantity.normalize().as_tuple().exponent < -3:
        return None, _("“%(line)s”: a quantity has at most 3 decimal places.") % {
            "line": line.description
        }
    return quantity, None


def plain(quantity: Decimal) -> str:
    """10.000 → "10", 2.500 → "2.5" (never "1E+1")."""
    return format(quantity.normalize(), "f")


def chosen_quantities(
    order: Order, lines, *, remaining, empty_message=None
) -> list[tuple[OrderLine, Decimal]]:
    """(order line, quantity) pairs for a document made from ``order``: all that ``remaining``
    leaves when ``lines`` is None, else the chosen ones checked against it (lines with zero are
    skipped). ``lines``: [{"order_line": OrderLine or id, "quantity": number}]. Every bad line
    is reported at once, by its description; nothing chosen is ``empty_message``."""
    order_lines = {line.pk: line for line in order.lines.all()}
    if lines is None:
        chosen = [(line, remaining(line)) for line in order_lines.values()]
        chosen = [(line, q) for line, q in chosen if q > 0]
    else:
        chosen, seen, errors = [], set(), []
        for index, item in enumerate(lines, start=1):
            ref = item.get("order_line")
            line = order_lines.get(getattr(ref, "pk", ref))
            if line is None or line.pk in seen:
                errors.append(_("Line %(n)s: not a line of this order.") % {"n": index})
                continue
            seen.add(line.pk)
            quantity, error = _quantity(item.get("quantity"), line)
            if error:
                errors.append(error)
            elif quantity > remaining(line):
                errors.append(
                    _("“%(line)s”: at most %(left)s can be added, %(quantity)s was asked for.")
                    % {
                        "line": line.description,
                        "left": plain(remaining(line)),
                        "quantity": plain(quantity),
                    }
                )
            elif quantity > 0:
                chosen.append((line, quantity))
        if errors:
            raise ValidationError({"lines": errors})
    if not chosen:
        raise ValidationError(
            {"lines": empty_message or _("Nothing is left to add: choose at least one line.")}
        )
    return chosen


def _invoice_lines(invoice: Invoice, chosen) -> list[InvoiceLine]:
    rows = []
    for line, quantity in chosen:
        row = InvoiceLine(
            invoice=invoice,
            order_line=line,
            quantity=quantity,
            **{name: getattr(line, name) for name in COPIED_LINE_FIELDS},
        )
        row.gross_amount, row.net_amount, row.tax_amount = line_amounts(
            quantity, line.unit_price, line.discount_percent, line.tax_rate
        )
        rows.append(row)
    return rows


def invoice_create(
    *, actor, order: Order, lines: list[dict] | None = None, notes: str = ""
) -> Invoice:
    """A draft invoice for ``order``: everything not yet invoiced (``lines`` None) or the chosen
    quantities, each no more than ordered minus already invoiced."""
    with transaction.atomic():
        order = lock_order(actor, order)
        chosen = chosen_quantities(
            order, lines, remaining=lambda line: line.quantity - line.quantity_invoiced
        )
        invoice = Invoice(
            order=order,
            notes=notes,
            **{
                name: getattr(order, name)
                for name in ("company_id", "person_id", "currency", "language")
                + ("owner_id", "team_id")
            },
        )
        rows = _invoice_lines(invoice, chosen)
        for name, value in document_totals(rows).items():
            setattr(invoice, name, value)
        invoice.full_clean()
        invoice.save()
        for row in rows:
            row.invoice = invoice
        InvoiceLine.objects.bulk_create(rows)
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=invoice,
            after=snapshot(invoice),
            parent=order,
        )
        order_refresh(actor=actor, order=order)
        ensure_in_scope(actor, invoice)
        events.emit("invoice.created", id=invoice.pk)
    return invoice


def lock_invoice(actor, invoice: Invoice, *, if_match=None) -> Invoice:
    return lock_for_change(actor, invoice, if_match=if_match)


def _refuse_unless_draft(invoice: Invoice) -> None:
    """Only a draft is edited; the refusal says what can be done instead, which depends on how
    far the invoice has gone (an invoice with payments cannot even be cancelled)."""
    if invoice.status == InvoiceStatus.DRAFT:
        return
    values = {"number": invoice, "status": invoice.get_status_display()}
    if invoice.status == InvoiceStatus.CANCELLED:
        message = _(
            "Invoice %(number)s is cancelled and can no longer be changed. Make a new invoice "
            "from the order instead."
        )
    elif invoice.amount_paid > 0:
        message = _(
            "Invoice %(number)s is %(status)s: an invoice with payments can no longer be "
            "changed or cancelled. If a payment was recorded by mistake, the invoice's owner "
            "or an administrator can delete it on the invoice card."
        )
    else:
        message = _(
            "Invoice %(number)s is %(status)s and can no longer be changed. Cancel it and make "
            "a new one from the order instead."
        )
    raise DomainError(message % values, code="invoice_locked")


def invoice_update(
    *, actor, invoice: Invoice, if_match=None, lines: list[dict] | None = None, **fields
) -> Invoice:
    """Edit a draft: its notes, person, language and (``lines``) the invoiced quantities."""
    allowed = {"notes", "person", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        invoice = lock_invoice(actor, invoice, if_match=if_match)
        _refuse_unless_draft(invoice)
        before = snapshot(invoice)
        for name, value in fields.items():
            setattr(invoice, name, value)
        if lines is not None:
            order = lock_order(actor, invoice.order)
            # The draft's own quantities are free again for the draft itself.
            mine = {row.order_line_id: row.quantity for row in invoice.lines.all()}

            def remaining(line):
                return line.quantity - line.quantity_invoiced + mine.get(line.pk, 0)

            chosen = chosen_quantities(
                order,
                lines,
                remaining=remaining,
                empty_message=_(
                    "An invoice needs at least one line with a quantity. To drop this draft, "
                    "cancel it."
                ),
            )
            invoice.lines.all().delete()
            rows = _invoice_lines(invoice, chosen)
            InvoiceLine.objects.bulk_create(rows)
            for name, value in document_totals(rows).items():
                setattr(invoice, name, value)
        invoice.full_clean()
        invoice.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=invoice,
            before=before,
            after=snapshot(invoice),
        )
        if lines is not None:
            order_refresh(actor=actor, order=invoice.order)
        ensure_in_scope(actor, invoice)
        events.emit("invoice.updated", id=invoice.pk)
    return invoice


def set_invoice_status(actor, invoice: Invoice, status: str, **dates) -> None:
    """Move ``invoice`` (locked by the caller) along INVOICE_MOVES, recorded in the change log."""
    check_move(INVOICE_MOVES, invoice.status, status, _labels())
    before = snapshot(invoice)
    invoice.status = status
    for name, value in dates.items():
        setattr(invoice, name, value)
    invoice.save()
    record_change(
        actor=actor, action=ChangeAction.UPDATE, obj=invoice, before=before, after=snapshot(invoice)
    )
    events.emit("invoice.status_changed", id=invoice.pk, status=status)


def invoice_issue(
    *, actor, invoice: Invoice, issued_on: datetime.date | None = None, if_match=None
) -> Invoice:
    """Give the draft its number and dates: due after the seller's payment term."""
    with transaction.atomic():
        invoice = lock_invoice(actor, invoice, if_match=if_match)
        check_move(INVOICE_MOVES, invoice.status, InvoiceStatus.ISSUED, _labels())
        issued_on = issued_on or timezone.localdate()
        due_on = issued_on + datetime.timedelta(days=SellerDetails.get().payment_days)
        invoice.number = allocate_number(DocumentKind.INVOICE)
        set_invoice_status(actor, invoice, InvoiceStatus.ISSUED, issued_on=issued_on, due_on=due_on)
        ensure_in_scope(actor, invoice)
    return invoice


def invoice_cancel(*, actor, invoice: Invoice, if_match=None) -> Invoice:
    """Cancel a draft or an unpaid issued invoice; its quantities may be invoiced again."""
    with transaction.atomic():
        invoice = lock_invoice(actor, invoice, if_match=if_match)
        if invoice.amount_paid > 0:
            # Not "delete the payments": they are money the customer paid. Only a payment
            # recorded by mistake is deleted, and only by the owner or an administrator.
            raise DomainError(
                _(
                    "Payments were recorded against this invoice, so it cannot be cancelled. If "
                    "a payment was recorded by mistake, the invoice's owner or an administrator "
                    "can delete it on the invoice card."
                ),
                code="invoice_paid",
            )
        order = lock_for_change(actor, invoice.order)
        set_invoice_status(actor, invoice, InvoiceStatus.CANCELLED)
        order_refresh(actor=actor, order=order)
        ensure_in_scope(actor, invoice)
    return invoice
