"""Logged contacts with customers (each belongs to a company, a person, or both) and tasks."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.activities.choices import (
    OPEN_TASK_STATUSES,
    ActivityKind,
    Direction,
    HandoffStatus,
    MeetingKind,
    MeetingStatus,
    Response,
    TaskPriority,
    TaskStatus,
)
from rapport.core import scoping
from rapport.core.models import BaseModel, RestrictedManager
from rapport.core.records import record_link


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


class Task(record_link(related_name="tasks"), BaseModel):
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
    due_at = models.DateTimeField(pgettext_lazy("deadline", "due"), null=True, blank=True)
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
    # The record (content_type, object_id) and the customer (company, person): record_link.
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
    # in, by whoever handed it over, and by whoever sees the customer it is about; changed by the
    # first two groups only.
    scope = scoping.SplitScope(
        view=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="assignee", curator="author", team="team"),
                scoping.DepartmentScope(department="department"),
                scoping.MemberScope(through="activities.Handoff", link="task", user="from_user"),
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
            # The overdue prompts walk the open tasks that fell due lately, by due time.
            models.Index(
                fields=["due_at", "id"],
                name="task_open_due",
                condition=models.Q(status__in=OPEN_TASK_STATUSES),
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


class Meeting(record_link(related_name="meetings"), BaseModel):
    """A planned meeting or call with our people and the customer's, at a place or a link.

    ``uid`` and ``sequence`` identify it in iCalendar: an invitation sent again after a change
    carries a higher sequence, so the customer's calendar updates the event instead of adding one.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.MEETING
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("agenda"), blank=True, max_length=20000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
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
    # The record (content_type, object_id) and the customer (company, person): record_link.
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    # Seen by the organizer (and their team and heads), by every participant on our side and by
    # whoever sees the customer; changed by the organizer's side.
    scope = scoping.SplitScope(
        view=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="organizer", team="team"),
                scoping.MemberScope(through="activities.MeetingParticipant", link="meeting"),
                scoping.ParentScope(
                    parents=("company", "person"),
                    owner=None,
                    extra={"company": "contacts.Company", "person": "contacts.Person"},
                ),
            )
        ),
        change=scoping.OwnedScope(owner="organizer", team="team"),
    )
    tracked_fields = [
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "link",
        "status",
        "organizer",
    ]

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        indexes = [
            # A calendar reads a time window: by organizer, by team, and everyone's by time.
            models.Index(fields=["organizer", "starts_at"], name="meeting_organizer_time"),
            models.Index(fields=["team", "starts_at"], name="meeting_team_time"),
            models.Index(fields=["starts_at", "ends_at"], name="meeting_time"),
            models.Index(fields=["content_type", "object_id"], name="meeting_record"),
            models.Index(fields=["company", "starts_at"], name="meeting_company"),
            models.Index(fields=["person", "starts_at"], name="meeting_person"),
            models.Index(
                fields=["remind_at"],
                name="meeting_reminder_due",
                condition=models.Q(reminded_at__isnull=True, remind_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__isnull=True, object_id__isnull=True)
                | models.Q(content_type__isnull=False, object_id__isnull=False),
                name="meeting_record_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:meeting_detail", args=[self.pk])


class MeetingParticipant(BaseModel):
    """One of our people (``user``) or one of the customer's (``person``, invited by e-mail)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    response = models.CharField(
        _("answer"), max_length=12, choices=Response.choices, default=Response.NEEDS_ACTION
    )
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)

    scope = scoping.ParentScope(
        parents=("meeting",), owner=None, extra={"meeting": "activities.Meeting"}
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["pk"]
        indexes = [models.Index(fields=["user", "meeting"], name="participant_user")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, person__isnull=True)
                | models.Q(user__isnull=True, person__isnull=False),
                name="participant_user_or_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_user_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(person__isnull=False),
                name="participant_person_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.person)


class CalendarFeed(models.Model):
    """A user's secret iCalendar address; only its hash is kept (like API tokens), so a new
    address is shown once, and revoking it deletes the row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)

    scope = scoping.PersonalScope(owner="user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class Handoff(BaseModel):
    """A task handed from one department to another's queue, with a deadline (E3).

    The receiving side must acknowledge it; one not acknowledged (or not done) by its deadline
    escalates to the head of the receiving department. The sender always sees where it stands,
    and every step is in the change log of the task's record, so nothing handed over disappears.
    """

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="handoffs"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("from department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("to department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=5000)
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=HandoffStatus.choices, default=HandoffStatus.SENT
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Why the receiving department sent it back (set when it is returned).
    return_reason = models.TextField(_("reason for returning"), blank=True, max_length=1000)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The sender's side, the receiving department, and whoever sees the task.
    scope = scoping.SplitScope(
        view=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="from_user", team=None),
                scoping.DepartmentScope(department="to_department"),
                scoping.DepartmentScope(department="from_department"),
                scoping.ParentScope(
                    parents=("task",), owner=None, extra={"task": "activities.Task"}
                ),
            )
        ),
        change=scoping.AnyScope(
            (
                scoping.OwnedScope(owner="from_user", team=None),
                scoping.DepartmentScope(department="to_department"),
            )
        ),
    )
    tracked_fields = [
        "to_department",
        "note",
        "deadline",
        "status",
        "acknowledged_by",
        "return_reason",
    ]

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["to_department", "status", "deadline"], name="handoff_inbox"),
            models.Index(fields=["from_user", "status", "deadline"], name="handoff_outbox"),
            models.Index(fields=["task", "-created_at"], name="handoff_task"),
            # The escalation scheduler reads only open hand-offs not yet escalated.
            models.Index(
                fields=["deadline"],
                name="handoff_escalation_due",
                condition=models.Q(escalated_at__isnull=True, status__in=["sent", "acknowledged"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.to_department}"

    def get_absolute_url(self) -> str:
        return reverse("activities:handoff_detail", args=[self.pk])
