"""Logged contacts with customers (each belongs to a company, a person, or both) and tasks."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.activities.choices import (
    OPEN_TASK_STATUSES,
    ActivityKind,
    Direction,
    TaskPriority,
    TaskStatus,
)
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


class Task(BaseModel):
    """Something someone must do by a time, about any record (a customer, a lead, a deal, an
    order...; see core/records.py) or about nothing in particular.

    A task belongs to its assignee; handed to a department, it waits in that department's queue
    (``department`` set, no assignee) until a member takes it. Business processes and automation
    rules create tasks through the same service as people do.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department queue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # [{"text": "...", "done": false}, ...]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.BigIntegerField(_("record"), null=True, blank=True)
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # Seen by its assignee and author (and their heads), by the department whose queue it waits
    # in, and by whoever sees the customer it is about; changed by the first two groups only.
    scope = scoping.SplitScope(
        view=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="assignee", curator="author", team="team"),
                scoping.DepartmentScope(department="department"),
                scoping.ParentScope(
                    parents=("company", "person"),
                    owner=None,
                    extra={"company": "contacts.Company", "person": "contacts.Person"},
                ),
            )
        ),
        change=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="assignee", curator="author", team="team"),
                scoping.DepartmentScope(department="department"),
            )
        ),
    )
    tracked_fields = [
        "title",
        "description",
        "status",
        "priority",
        "due_at",
        "remind_at",
        "assignee",
        "department",
        "checklist",
    ]

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "-priority", "pk"]
        indexes = [
            # "My tasks", the team view and the department queue: open tasks by due time.
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_due"),
            models.Index(fields=["team", "status", "due_at"], name="task_team_due"),
            models.Index(fields=["department", "status", "due_at"], name="task_department_due"),
            models.Index(fields=["content_type", "object_id"], name="task_record"),
            models.Index(fields=["company", "status"], name="task_company"),
            models.Index(fields=["person", "status"], name="task_person"),
            # The reminder scheduler reads only the reminders still to send.
            models.Index(
                fields=["remind_at"],
                name="task_reminder_due",
                condition=models.Q(reminded_at__isnull=True, remind_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__isnull=True, object_id__isnull=True)
                | models.Q(content_type__isnull=False, object_id__isnull=False),
                name="task_record_complete",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:task_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def is_overdue(self, now=None) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < (now or timezone.now()))

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist or [] if item.get("done"))
