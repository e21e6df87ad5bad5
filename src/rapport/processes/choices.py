"""States of process instances and stages, and the units of a stage's planned duration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DurationUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class ProcessStatus(models.TextChoices):
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class StageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACTIVE = "active", _("active")
    DONE = "done", _("done")
    SKIPPED = "skipped", _("skipped")


FINISHED_STAGE_STATUSES = (StageStatus.DONE, StageStatus.SKIPPED)
