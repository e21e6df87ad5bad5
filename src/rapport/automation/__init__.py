"""Automation rules: when a record is created, a field changes, a stage is reached or a date comes
near, and conditions hold, do something (a task, a process, an e-mail, a field, a notification)."""
