"""Writes of the automation app: rules (administrators) and their runs (background tasks)."""

from rapport.automation.services.dates import run_pending, scan_date_rules
from rapport.automation.services.rules import rule_delete, rule_save, rule_warnings
from rapport.automation.services.runs import process_event, reap_stale_runs, run_rule

__all__ = [
    "process_event",
    "reap_stale_runs",
    "rule_delete",
    "rule_save",
    "rule_warnings",
    "run_pending",
    "run_rule",
    "scan_date_rules",
]
