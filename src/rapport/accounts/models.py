"""Users, their departments, teams and our offices, and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import SEES_EVERYTHING, DepartmentKind, Role
from rapport.core import scoping
from rapport.core.choices import Language
from rapport.core.models import BaseModel


class Department(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.SALES
    )

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Branch(BaseModel):
    """One of our own offices; a customer is served by one branch."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Territory(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES_REP)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.SET_NULL
    )
    language = models.CharField(
        _("interface language"),
        max_length=5,
        blank=True,
        choices=Language.choices,
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()
    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.label_for(self.first_name, self.last_name, self.username)

    @staticmethod
    def label_for(first_name: str, last_name: str, username: str) -> str:
        """How a user is shown: the full name, else the username (also for values() rows)."""
        return f"{first_name} {last_name}".strip() or username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    # Role facts used by the scoping rules -------------------------------------------------------
    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR or self.is_superuser

    @property
    def sees_everything(self) -> bool:
        return self.role in SEES_EVERYTHING or self.is_superuser

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.AUDITOR and not self.is_superuser

    @property
    def is_head_of_department(self) -> bool:
        return self.role == Role.HEAD

    @property
    def can_read_change_log(self) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.DIRECTOR, Role.AUDITOR) or self.is_superuser

    @cached_property
    def team_ids(self) -> list[int]:
        return [self.team_id] if self.team_id else []

    @cached_property
    def department_id_for_scope(self) -> int | None:
        if self.department_id:
            return self.department_id
        return self.team.department_id if self.team_id else None

    @cached_property
    def department_team_ids(self) -> list[int]:
        dept = self.department_id_for_scope
        if dept is None:
            return self.team_ids
        return list(Team.objects.filter(department_id=dept).values_list("pk", flat=True))

    @cached_property
    def department_user_ids(self) -> list[int]:
        dept = self.department_id_for_scope
        if dept is None:
            return [self.pk]
        ids = set(
            User.objects.filter(
                models.Q(department_id=dept) | models.Q(team__department_id=dept)
            ).values_list("pk", flat=True)
        )
        ids.add(self.pk)
        return sorted(ids)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal bearer token; only its hash is stored, the raw value is shown once."""

    PREFIX = "rpt_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_token(raw), key_hint=raw[:10]
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return (
            cls.objects.active()
            .select_related("user", "user__team")
            .filter(key_hash=_hash_token(raw))
            .first()
        )
