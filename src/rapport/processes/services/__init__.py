"""Writes of the processes app: templates (services.templates), running processes
(services.instances), executors (services.executors) and overdue stages (services.deviations)."""
