"""Payment writes: money received against an invoice (partial payments too), and its removal."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change
from rapport.orders.choices import InvoiceStatus, PaymentMethod
from rapport.orders.models import Invoice, Payment
from rapport.orders.services.invoices import set_invoice_status
from rapport.orders.services.orders import order_refresh


def payment_create(
    *,
    actor,
    invoice: Invoice,
    amount,
    currency: str | None = None,
    paid_on=None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Record money received: no more than is due, in the invoice's currency. The invoice becomes
    partially paid or paid (and the order's paid total follows)."""
    with transaction.atomic():
        invoice = lock_for_change(actor, invoice)
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
            raise DomainError(
                _("Payments are recorded against issued invoices only; this one is %(status)s.")
                % {"status": invoice.get_status_display()},
                code="invoice_not_payable",
            )
        payment = Payment(
            invoice=invoice,
            amount=amount,
            currency=currency or invoice.currency,
            paid_on=paid_on or timezone.localdate(),
            method=method,
            reference=reference,
            note=note,
            owner_id=invoice.owner_id,
            team_id=invoice.team_id,
        )
        payment.full_clean()
        if payment.currency != invoice.currency:
            raise ValidationError(
                {
                    "currency": _(
                        "The invoice is in %(invoice)s; a payment in %(payment)s cannot be "
                        "recorded against it."
                    )
                    % {"invoice": invoice.currency, "payment": payment.currency}
                }
            )
        if payment.amount > invoice.amount_due:
            raise ValidationError(
                {
                    "amount": _("Only %(due)s %(currency)s is due on this invoice.")
                    % {"due": invoice.amount_due, "currency": invoice.currency}
                }
            )
        payment.save()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=payment,
            after=snapshot(payment),
            parent=invoice,
        )
        invoice.amount_paid += payment.amount
        if invoice.amount_paid >= invoice.total:
            set_invoice_status(actor, invoice, InvoiceStatus.PAID, paid_on=payment.paid_on)
        elif invoice.status == InvoiceStatus.ISSUED:
            set_invoice_status(actor, invoice, InvoiceStatus.PARTIALLY_PAID)
        else:
            before = {"amount_paid": str(invoice.amount_paid - payment.amount)}
            invoice.save(update_fields=["amount_paid", "updated_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                obj=invoice,
                before=before,
                after={"amount_paid": str(invoice.amount_paid)},
            )
        order_refresh(actor=actor, order=lock_for_change(actor, invoice.order))
        ensure_in_scope(actor, payment)
        events.emit("payment.created", id=payment.pk, invoice=invoice.pk)
    return payment


def may_delete_payment(actor, payment: Payment) -> bool:
    """Administrators and the owner of the invoice's deal may take a payment back."""
    return bool(actor and (actor.is_administrator or payment.owner_id == actor.pk))


def payment_delete(*, actor, payment: Payment) -> None:
    """Take back a payment recorded by mistake: the invoice's status goes back with it (the one
    correction that moves an invoice backwards, so it bypasses the table of moves)."""
    with transaction.atomic():
        payment = lock_for_change(actor, payment)
        if not may_delete_payment(actor, payment):
            raise PermissionDenied
        invoice = lock_for_change(actor, payment.invoice)
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=payment,
            before=snapshot(payment),
            parent=invoice,
        )
        before = snapshot(invoice)
        invoice.amount_paid -= payment.amount
        paid_some = invoice.amount_paid > Decimal(0)
        invoice.status = InvoiceStatus.PARTIALLY_PAID if paid_some else InvoiceStatus.ISSUED
        invoice.paid_on = None
        pk = payment.pk
        payment.delete()
        invoice.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=invoice,
            before=before,
            after=snapshot(invoice),
        )
        order_refresh(actor=actor, order=lock_for_change(actor, invoice.order))
        events.emit("payment.deleted", id=pk, invoice=invoice.pk)
