"""Logged contacts with customers: each belongs to a company, a person, or both."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.activities.choices import ActivityKind, Direction
from rapport.core import scoping
from rapport.core.models import BaseModel


class Activity(BaseModel):
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, blank=True
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True, max_length=20000)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )

    # Anyone who sees the customer sees its activities; only the author (or their head of
    # department, a director or an administrator) changes one.
    scope = scoping.SplitScope(
        view=scoping.ParentScope(
            parents=("company", "person"),
            owner="owner",
            extra={"company": "contacts.Company", "person": "contacts.Person"},
        ),
        change=scoping.OwnedScope(owner="owner", team=None),
    )
    tracked_fields = ["kind", "direction", "subject", "body", "occurred_at", "duration_minutes"]

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-occurred_at", "-id"], name="activity_company_time"),
            models.Index(fields=["person", "-occurred_at", "-id"], name="activity_person_time"),
            models.Index(fields=["owner", "-occurred_at"], name="activity_owner_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(person__isnull=False),
                name="activity_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def get_absolute_url(self) -> str:
        target = self.person or self.company
        return reverse("activities:activity_detail", args=[self.pk]) if target else "/"
