"""Choices of the automation app: triggers, operators, actions, run statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    CREATED = "created", _("a record is created")
    FIELD_CHANGED = "field_changed", _("a field changes")
    STAGE_REACHED = "stage_reached", _("a stage is reached")
    DATE_APPROACHING = "date_approaching", _("a date comes near")


class Match(models.TextChoices):
    ALL = "all", _("all conditions hold")
    ANY = "any", _("any condition holds")


class Operator(models.TextChoices):
    EQ = "=", "="
    NE = "!=", "≠"
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"
    CONTAINS = "contains", _("contains")
    EMPTY = "is_empty", _("is empty")
    NOT_EMPTY = "is_not_empty", _("is not empty")
    IN = "in", _("is one of")


# Operators that take no value.
UNARY = {Operator.EMPTY, Operator.NOT_EMPTY}


class ActionKind(models.TextChoices):
    CREATE_TASK = "create_task", _("create a task")
    START_PROCESS = "start_process", _("start a process")
    SEND_EMAIL = "send_email", _("send an e-mail to the record's person")
    SET_FIELD = "set_field", _("set a field")
    NOTIFY = "notify", _("notify someone")


class Assignee(models.TextChoices):
    OWNER = "owner", _("the record's owner")
    USER = "user", _("a user")
    DEPARTMENT = "department", _("a department's queue")


class Recipient(models.TextChoices):
    OWNER = "owner", _("the record's owner")
    USER = "user", _("a user")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")
