"""Customers as records tasks, processes and automation rules attach to (see core/records.py)."""

from rapport.core.records import RecordType

RECORDS = [
    RecordType("contacts.company", company="pk"),
    RecordType("contacts.person", person="pk", dates=("birthday",)),
]
