"""Leads and deals as records tasks, processes and automation rules attach to (core/records.py)."""

from rapport.core.records import RecordType

RECORDS = [
    RecordType("sales.lead", company="company", person="person"),
    RecordType("sales.deal", company="company", person="person", dates=("expected_close_date",)),
]
