"""Automation rules (configured by administrators in the UI) and the log of their runs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.automation.choices import Match, RunStatus, Trigger
from rapport.core import records, scoping
from rapport.core.models import BaseModel, RestrictedManager

NAME_LIMIT = 200


class Rule(BaseModel):
    """When (trigger) something happens to a record of one type and the conditions hold, do the
    actions, in order. Conditions and actions are data (JSON), validated against the record
    type's model when the rule is saved; nothing of them is ever evaluated as code."""

    name = models.CharField(_("name"), max_length=NAME_LIMIT)
    is_active = models.BooleanField(_("active"), default=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    trigger_field = models.CharField(
        _("field"),
        max_length=60,
        blank=True,
        help_text=_("The field that changes, or the date that comes near."),
    )
    trigger_stage = models.BigIntegerField(_("stage"), null=True, blank=True)
    days_before = models.PositiveSmallIntegerField(_("days before"), null=True, blank=True)
    match = models.CharField(
        _("conditions"), max_length=3, choices=Match.choices, default=Match.ALL
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("runs as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The administrator who saved the rule last; its actions are theirs."),
    )
    runs_count = models.PositiveIntegerField(_("runs"), default=0, editable=False)
    failures_count = models.PositiveIntegerField(_("failures"), default=0, editable=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)

    scope = scoping.AdminScope()
    tracked_fields = [
        "name",
        "is_active",
        "content_type",
        "trigger",
        "trigger_field",
        "trigger_stage",
        "days_before",
        "match",
        "conditions",
        "actions",
    ]

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["content_type", "is_active", "trigger"], name="rule_active"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("automation:rule_update", args=[self.pk])

    @property
    def record_type(self) -> records.RecordType | None:
        if not self.content_type_id:
            return None
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        return records.record_type(f"{content_type.app_label}.{content_type.model}")

    @property
    def model(self):
        kind = self.record_type
        return kind.model if kind else None

    def clean(self) -> None:
        from rapport.automation.validation import validate_rule

        super().clean()
        validate_rule(self)


class RuleRun(models.Model):
    """One run of a rule on one record for one trigger occurrence. The row is written before the
    actions run (it is the claim): the unique (rule, record, trigger key) makes the same event,
    processed twice or by two workers, run once."""

    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="runs"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(_("record"))
    object_repr = models.CharField(_("record name"), max_length=300, blank=True)
    trigger_key = models.CharField(_("occasion"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    depth = models.PositiveSmallIntegerField(_("chain depth"), default=0)
    message = models.TextField(_("message"), blank=True)
    actions_done = models.JSONField(_("actions done"), default=list, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedManager()
    scope = scoping.AdminScope()

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id", "trigger_key"], name="rulerun_once"
            )
        ]
        indexes = [
            models.Index(fields=["rule", "-created_at", "-id"], name="rulerun_log"),
            models.Index(fields=["rule", "status", "-created_at", "-id"], name="rulerun_status"),
            # Which occasions of a date rule already have a run (the scan's one read).
            models.Index(fields=["rule", "trigger_key"], name="rulerun_key"),
            # The queue of a date rule's runs, and runs a dead worker left behind: both small.
            models.Index(
                fields=["id"], condition=Q(status=RunStatus.PENDING), name="rulerun_pending"
            ),
            models.Index(
                fields=["started_at"],
                condition=Q(status=RunStatus.RUNNING),
                name="rulerun_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.object_repr} ({self.get_status_display()})"
