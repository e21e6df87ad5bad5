"""Roles and departments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "admin", _("administrator")
    DIRECTOR = "director", _("director")
    HEAD = "head", _("head of department")
    SALES_REP = "sales_rep", _("sales rep")
    MARKETER = "marketer", _("marketer")
    SUPPORT = "support", _("support agent")
    AUDITOR = "auditor", _("auditor (read-only)")


SEES_EVERYTHING = {Role.ADMINISTRATOR, Role.DIRECTOR, Role.AUDITOR}


class DepartmentKind(models.TextChoices):
    SALES = "sales", _("sales")
    MARKETING = "marketing", _("marketing")
    SERVICE = "service", _("service")
    MANAGEMENT = "management", _("management")
    OTHER = "other", _("other")
