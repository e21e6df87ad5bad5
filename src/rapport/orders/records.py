"""Orders and invoices as records tasks, processes and automation rules attach to
(core/records.py); an order carries the commissioning schedule (a process on the order)."""

from rapport.core.records import RecordType

RECORDS = [
    RecordType("orders.order", company="company", person="person"),
    RecordType("orders.invoice", company="company", person="person", dates=("due_on",)),
]
