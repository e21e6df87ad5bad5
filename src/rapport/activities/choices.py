"""Kinds of activity."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CALL = "call", _("call")
    MEETING = "meeting", _("meeting")
    EMAIL = "email", _("e-mail")
    NOTE = "note", _("note")


class Direction(models.TextChoices):
    INBOUND = "in", _("incoming")
    OUTBOUND = "out", _("outgoing")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class TaskPriority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class MeetingKind(models.TextChoices):
    MEETING = "meeting", _("meeting")
    CALL = "call", _("call")


class Response(models.TextChoices):
    NEEDS_ACTION = "needs_action", _("no answer yet")
    ACCEPTED = "accepted", _("accepted")
    TENTATIVE = "tentative", _("maybe")
    DECLINED = "declined", _("declined")


class HandoffStatus(models.TextChoices):
    SENT = "sent", _("waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DONE = "done", _("done")
    RETURNED = "returned", _("returned")


OPEN_HANDOFF_STATUSES = (HandoffStatus.SENT, HandoffStatus.ACKNOWLEDGED)
