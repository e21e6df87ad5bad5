"""Base model and the cross-cutting tables: change log, tags, custom fields, jobs, outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = scoping.VIEW) -> RestrictedQuerySet:
        return scoping.restrict(self, user, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


class BaseModel(models.Model):
    """Every business model: timestamps, a scoped default manager and a stable ordering."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        abstract = True
        ordering = ["-pk"]

    def clean_fields(self, exclude=None):
        """Reject NUL characters everywhere (PostgreSQL cannot store them and SQLite would) and
        text longer than a TextField's max_length."""
        from django.core.exceptions import ValidationError
        from django.core.validators import MaxLengthValidator

        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and "\x00" in value:
                errors.setdefault(field.name, []).append(
                    ValidationError(_("Text must not contain NUL characters."), code="null_char")
                )
            # Django validates max_length of CharField only; a TextField's limit is ours to keep.
            if isinstance(field, models.TextField) and field.max_length and isinstance(value, str):
                try:
                    MaxLengthValidator(field.max_length)(value)
                except ValidationError as exc:
                    errors.setdefault(field.name, []).append(exc)
        if errors:
            raise ValidationError(errors)


class SiteConfiguration(models.Model):
    """One row of settings an administrator changes in the UI."""

    stale_after_days = models.PositiveIntegerField(
        _("mark records stale after (days without verification)"), default=365
    )
    two_factor_roles = models.JSONField(
        _("roles that must use two-factor authentication"), default=list, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site configuration")
        verbose_name_plural = _("site configuration")

    def __str__(self) -> str:
        return str(_("Site configuration"))

    _memo: tuple[float, SiteConfiguration] | None = None
    MEMO_SECONDS = 10

    @classmethod
    def get(cls) -> SiteConfiguration:
        """The settings row, remembered for a few seconds (list pages ask for it on every row)."""
        import time

        now = time.monotonic()
        memo = cls._memo
        if memo is not None and now - memo[0] < cls.MEMO_SECONDS:
            return memo[1]
        obj, _created = cls.objects.get_or_create(pk=1)
        cls._memo = (now, obj)
        return obj

    @classmethod
    def forget(cls) -> None:
        cls._memo = None


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    MERGE = "merge", _("merged")
    IMPORT = "import", _("imported")


EXTRA_CHANGE_LABELS = {
    "emails": _("e-mail addresses"),
    "phones": _("phone numbers"),
    "addresses": _("addresses"),
    "company": _("company"),
    "kept": _("kept record"),
    "merged": _("merged record"),
    "merged_from": _("merged from"),
}


class ChangeRecord(models.Model):
    """One change to business data, written by the service that made it (never by a signal)."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request_id = models.CharField(_("request"), max_length=36, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(_("record"))
    object_repr = models.CharField(_("record name"), max_length=300)
    parent_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    parent_object_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="chg_object"),
            # Partial: most changes have no parent, and an index full of NULLs makes SQLite's
            # planner scan the whole log by date instead of using it.
            models.Index(
                fields=["parent_content_type", "parent_object_id", "-created_at"],
                name="chg_parent",
                condition=models.Q(parent_object_id__isnull=False),
            ),
            models.Index(fields=["actor", "-created_at"], name="chg_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field label in the user's language, before, after) for each field that changed."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [
            (self.field_label(k), before.get(k), after.get(k))
            for k in keys
            if before.get(k) != after.get(k)
        ]

    def field_label(self, key: str) -> str:
        model = self.content_type.model_class() if self.content_type_id else None
        if model is not None:
            try:
                return str(model._meta.get_field(key).verbose_name)
            except Exception:  # not a model field: one of the extra keys below
                pass
        return str(EXTRA_CHANGE_LABELS.get(key, key))


class Tag(BaseModel):
    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    BOOLEAN = "boolean", _("yes / no")
    CHOICE = "choice", _("choice")


class CustomFieldTarget(models.TextChoices):
    COMPANY = "contacts.company", _("companies")
    PERSON = "contacts.person", _("people")


class CustomFieldDefinition(BaseModel):
    """An administrator-defined field stored in the ``custom`` JSON column of its target model."""

    target = models.CharField(_("applies to"), max_length=40, choices=CustomFieldTarget.choices)
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Used in the API, imports and exports.")
    )
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(
        _("type"), max_length=10, choices=CustomFieldType.choices, default=CustomFieldType.TEXT
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope = scoping.GlobalScope()

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["target", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="customfield_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class JobStatus(models.TextChoices):
    DRAFT = "draft", _("waiting to start")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(BaseModel):
    """Visible progress of a long background task; its heartbeat is the task's lease."""

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    scope = scoping.OwnedScope(owner="owner", team=None)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


class OutboxMessage(models.Model):
    """Every e-mail Rapport sends; without SMTP this is where messages wait to be read."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    subject = models.CharField(_("subject"), max_length=500)
    from_email = models.CharField(_("from"), max_length=300)
    to = models.TextField(_("to"))
    # Kept apart from "to" so a retry sends the copies as copies and hidden copies stay hidden.
    cc = models.TextField(_("copy"), blank=True)
    bcc = models.TextField(_("hidden copy"), blank=True)
    reply_to = models.TextField(_("reply to"), blank=True)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Kept and never tried (send_stale_emails, with SMTP): few rows, whatever the history.
            models.Index(
                fields=["created_at"],
                name="outbox_untried",
                condition=models.Q(sent_at__isnull=True, attempts=0),
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboxAttachment(models.Model):
    """A file sent with an outbox message, kept so a retry sends it again (and an administrator
    sees what went out)."""

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("outgoing e-mail"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("e-mail attachment")
        verbose_name_plural = _("e-mail attachments")
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return self.name


class SavedFilter(BaseModel):
    """A named list filter a user keeps (optionally shared with their team)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE
    )
    list_name = models.CharField(_("list"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=2000)

    scope = scoping.OwnedScope(owner="owner", team=None)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["owner", "list_name"], name="savedfilter_owner_list")]

    def __str__(self) -> str:
        return self.name


class JobFile(models.Model):
    """A file a job reads (an uploaded import) or writes (an export), kept in the database so any
    worker host can reach it without shared storage."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10)  # "input" or "output"
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("job file")
        verbose_name_plural = _("job files")
        constraints = [models.UniqueConstraint(fields=["job", "role"], name="jobfile_job_role")]

    def __str__(self) -> str:
        return self.name


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("reminder")
    ASSIGNMENT = "assignment", _("assignment")
    HANDOFF = "handoff", _("hand-off")
    PROCESS = "process", _("business process")
    RULE = "rule", _("automation rule")
    FOLLOW_UP = "follow_up", _("follow-up")


class Notification(models.Model):
    """A message to one user in the notification centre (and, when asked, by e-mail).

    The text is rendered in the recipient's language when the notification is made. ``key``
    makes a notification idempotent: the same reminder, escalation or rule run told twice (two
    workers, a retried task) is stored once and e-mailed once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_wanted = models.BooleanField(_("by e-mail"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    scope = scoping.PersonalScope(owner="user")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_time"),
            models.Index(
                fields=["user"],
                name="notification_user_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # "Who was told under these keys?" for a batch of reminders (core/notifications.py):
            # the unique (user, key) index cannot be searched by key alone.
            models.Index(fields=["key"], name="notification_key", condition=~models.Q(key="")),
            # The e-mails still to send (send_stale_emails): few rows, whatever the history.
            models.Index(
                fields=["created_at"],
                name="notification_email_waiting",
                condition=models.Q(email_wanted=True, emailed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="notification_user_key_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title
