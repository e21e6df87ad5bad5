"""Document numbers from the configurable sequences (allocated inside the caller's transaction)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rapport.orders.choices import DocumentKind
from rapport.orders.models import NumberSequence

DEFAULT_PREFIXES = {
    DocumentKind.PROPOSAL: "Q-{year}-",
    DocumentKind.ORDER: "O-{year}-",
    DocumentKind.INVOICE: "INV-{year}-",
    DocumentKind.SHIPMENT: "S-{year}-",
}


def allocate_number(kind: str) -> str:
    """The next number of ``kind``. The sequence row is locked until the caller's transaction
    ends, so two documents never get the same number and a rolled-back document gives its
    number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "allocate_number must run inside the transaction that saves the document"
        )
    year = timezone.localdate().year
    sequence, _created = NumberSequence.objects.get_or_create(
        kind=kind, defaults={"prefix": DEFAULT_PREFIXES.get(kind, "{year}-"), "year": year}
    )
    sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    if sequence.restarts_yearly and sequence.year != year:
        sequence.year, sequence.next_number = year, 1
    number = sequence.next_number
    sequence.next_number = number + 1
    sequence.save(update_fields=["year", "next_number", "updated_at"])
    prefix = sequence.prefix.replace("{year}", str(year))
    return f"{prefix}{number:0{sequence.digits}d}"
