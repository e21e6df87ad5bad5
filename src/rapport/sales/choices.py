"""Choices of the sales app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("new")
    WORKING = "working", _("in work")
    QUALIFIED = "qualified", _("qualified")
    DISQUALIFIED = "disqualified", _("disqualified")
    CONVERTED = "converted", _("converted")


class DisqualifyReason(models.TextChoices):
    NO_BUDGET = "no_budget", _("no budget")
    NO_NEED = "no_need", _("no need")
    NOT_REACHABLE = "not_reachable", _("cannot be reached")
    COMPETITOR = "competitor", _("chose a competitor")
    SPAM = "spam", _("spam or a wrong contact")
    DUPLICATE = "duplicate", _("duplicate")
    OTHER = "other", _("other")


class DistributionMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("round-robin within the team")
    USER = "user", _("to one person")
    QUEUE = "queue", _("leave in the team's queue (manual)")


class StageKind(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class DealContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("decision maker")
    INFLUENCER = "influencer", _("influencer")
    USER = "user", _("user")
    TECHNICAL = "technical", _("technical contact")
    PURCHASING = "purchasing", _("purchasing")
    OTHER = "other", _("other")


class ParticipantRole(models.TextChoices):
    SALES = "sales", _("sales")
    PRESALES = "presales", _("pre-sales engineer")
    MANAGER = "manager", _("manager")
    PARTNER = "partner", _("partner")
    OTHER = "other", _("other")
