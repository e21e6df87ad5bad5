"""What automation needs to know of each record type beyond core/records.py: whose record it is,
and which of its fields a rule may set (through which service).

The services are named by dotted path and imported only when a rule sets a field, so the
automation app never imports the apps whose records it acts on (core/records.py's rule)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.db import models


@dataclass(frozen=True)
class Writer:
    """The update service of a record type: ``function(actor=, <argument>=record, **fields)``,
    and the fields a rule may set through it (plain values a person sets in the record's form;
    never computed totals, numbers or statuses a service moves along its own rules)."""

    module: str
    function: str
    argument: str
    fields: tuple[str, ...]

    def __call__(self, *, actor, record, **fields):
        service = getattr(import_module(self.module), self.function)
        return service(actor=actor, **{self.argument: record}, **fields)


WRITERS: dict[str, Writer] = {
    "contacts.company": Writer(
        "rapport.contacts.services",
        "company_update",
        "company",
        ("kind", "industry", "size", "source", "curator", "territory", "notes"),
    ),
    "contacts.person": Writer(
        "rapport.contacts.services",
        "person_update",
        "person",
        ("position", "preferred_channel", "preferred_language", "source", "curator", "notes"),
    ),
    "sales.lead": Writer(
        "rapport.sales.services.leads",
        "lead_update",
        "lead",
        ("industry", "territory", "language", "source", "campaign", "owner"),
    ),
    "sales.deal": Writer(
        "rapport.sales.services.deals",
        "deal_update",
        "deal",
        (
            "stage",
            "probability",
            "expected_close_date",
            "owner",
            "source",
            "campaign",
            "description",
        ),
    ),
    "orders.order": Writer("rapport.orders.services.orders", "order_update", "order", ("notes",)),
    "orders.invoice": Writer(
        "rapport.orders.services.invoices", "invoice_update", "invoice", ("notes", "language")
    ),
}

# Fields naming the user a record belongs to, in the order they are tried.
OWNER_FIELDS = ("owner", "curator")
# Date fields that come back every year (a birthday): the rule counts down to this year's day.
YEARLY_DATES = frozenset({"birthday"})


def writer_for(label: str) -> Writer | None:
    return WRITERS.get(label)


def settable_fields(label: str, model: type[models.Model]) -> list[str]:
    writer = WRITERS.get(label)
    if writer is None:
        return []
    names = {f.name for f in model._meta.concrete_fields}
    return [name for name in writer.fields if name in names]


def owner_field(model: type[models.Model]) -> str | None:
    names = {f.name for f in model._meta.concrete_fields}
    return next((name for name in OWNER_FIELDS if name in names), None)


def owner_of(obj: models.Model):
    """The user a record belongs to (its owner, else its curator), or None."""
    for name in OWNER_FIELDS:
        if any(f.name == name for f in obj._meta.concrete_fields) and getattr(obj, f"{name}_id"):
            return getattr(obj, name)
    return None


def stage_field(model: type[models.Model]) -> models.Field | None:
    """The stage a record moves through (a deal's), if it has one."""
    try:
        field = model._meta.get_field("stage")
    except Exception:  # FieldDoesNotExist
        return None
    return field if field.many_to_one else None


def is_yearly(model: type[models.Model], name: str) -> bool:
    return name in YEARLY_DATES
