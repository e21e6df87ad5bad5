"""Process templates (ordered stages, each with one executor) and their instances on records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rapport.accounts.choices import Role
from rapport.core import records, scoping
from rapport.core.models import BaseModel
from rapport.processes.choices import (
    FINISHED_STAGE_STATUSES,
    DurationUnit,
    ProcessStatus,
    StageStatus,
)

# A template stage's checklist and the documents it needs: a list of short texts each.
LIST_LIMIT = 50
TEXT_LIMIT = 200


class ManagedTemplateScope(scoping.GlobalScope):
    """Templates are kept in the base for everyone to read; administrators and heads of
    department change them (a subclass of GlobalScope, so a director is not let through by
    ``restrict``'s "sees everything")."""

    def q_for(self, user, action: str) -> Q:
        if action == scoping.VIEW or user.is_administrator or user.is_head_of_department:
            return Q()
        return Q(pk__in=[])


@dataclass(frozen=True)
class StageExecutorScope:
    """Processes in which the user carries out a stage, or whose stage waits in the queue of the
    user's department."""

    def q_for(self, user, action: str) -> Q:
        q = Q(executor_user_id=user.pk)
        department = user.department_id_for_scope
        if department is not None:
            q |= Q(executor_department_id=department)
        stages = ProcessStage._base_manager.filter(q).values("instance_id")
        return Q(pk__in=stages)


def _clean_texts(value, field: str) -> list[str]:
    """A list of short texts, blanks dropped; anything else is a clear error."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError({field: _("Give a list of texts.")})
    cleaned = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({field: _("Give a list of texts.")})
        text = " ".join(item.split())
        if not text:
            continue
        if len(text) > TEXT_LIMIT:
            raise ValidationError(
                {field: _("Each entry is at most %(n)d characters long.") % {"n": TEXT_LIMIT}}
            )
        cleaned.append(text)
    if len(cleaned) > LIST_LIMIT:
        raise ValidationError({field: _("At most %(n)d entries.") % {"n": LIST_LIMIT}})
    return cleaned


class ProcessTemplate(BaseModel):
    """A business process kept in the base ("typical sales model", "equipment delivery and
    commissioning", "complaint handling"): ordered stages for one kind of record."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    record_type = models.CharField(
        _("applies to"),
        max_length=40,
        help_text=_("The kind of record a process of this template is started on."),
    )
    controller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("controller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Owns every process of this template; empty: whoever starts it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope = ManagedTemplateScope()
    tracked_fields = ["name", "description", "record_type", "controller", "is_active"]

    class Meta:
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["record_type", "is_active"], name="proctpl_record_type")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("processes:template_detail", args=[self.pk])

    @property
    def record_type_name(self) -> str:
        kind = records.record_type(self.record_type)
        return kind.verbose_name if kind else self.record_type

    def clean(self) -> None:
        super().clean()
        if self.record_type and records.record_type(self.record_type) is None:
            raise ValidationError({"record_type": _("Choose a kind of record from the list.")})


class ExecutorFields(models.Model):
    """Who carries out a stage: a person, or a department's queue (and, on a template, a role)."""

    executor_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class ProcessStageTemplate(ExecutorFields, BaseModel):
    """One stage of a template: exactly one executor (a role, a department or a person), a
    planned duration, a checklist and the documents it needs."""

    template = models.ForeignKey(
        ProcessTemplate,
        verbose_name=_("process template"),
        on_delete=models.CASCADE,
        related_name="stages",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    executor_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    duration_value = models.PositiveIntegerField(
        _("planned duration"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    duration_unit = models.CharField(
        _("unit"), max_length=5, choices=DurationUnit.choices, default=DurationUnit.DAYS
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    documents = models.JSONField(_("documents needed"), default=list, blank=True)
    is_skippable = models.BooleanField(
        _("may be skipped"), default=True, help_text=_("Skipping always needs a reason.")
    )

    scope = ManagedTemplateScope()
    tracked_fields = [
        "position",
        "name",
        "executor_role",
        "executor_department",
        "executor_user",
        "duration_value",
        "duration_unit",
        "checklist",
        "documents",
        "is_skippable",
    ]

    class Meta:
        verbose_name = _("process stage template")
        verbose_name_plural = _("process stage templates")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        executor_role="",
                        executor_department__isnull=True,
                        executor_user__isnull=False,
                    )
                    | Q(
                        executor_role="",
                        executor_department__isnull=False,
                        executor_user__isnull=True,
                    )
                    | (
                        ~Q(executor_role="")
                        & Q(executor_department__isnull=True, executor_user__isnull=True)
                    )
                ),
                name="proctpl_stage_one_executor",
                violation_error_message=_(
                    "Choose exactly one executor: a role, a department or a person."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> datetime.timedelta:
        if self.duration_unit == DurationUnit.HOURS:
            return datetime.timedelta(hours=self.duration_value)
        return datetime.timedelta(days=self.duration_value)

    @property
    def duration_label(self) -> str:
        if self.duration_unit == DurationUnit.HOURS:
            return ngettext("%(n)d hour", "%(n)d hours", self.duration_value) % {
                "n": self.duration_value
            }
        return ngettext("%(n)d day", "%(n)d days", self.duration_value) % {"n": self.duration_value}

    @property
    def executor_label(self) -> str:
        if self.executor_user_id:
            return str(self.executor_user)
        if self.executor_department_id:
            return str(self.executor_department)
        return Role(self.executor_role).label if self.executor_role else ""

    def clean(self) -> None:
        super().clean()
        self.checklist = _clean_texts(self.checklist, "checklist")
        self.documents = _clean_texts(self.documents, "documents")
        chosen = [
            bool(self.executor_role),
            self.executor_department_id is not None,
            self.executor_user_id is not None,
        ]
        if not any(chosen):
            raise ValidationError(
                {
                    "executor_role": _(
                        "Choose who carries out the stage: a role, a department or a person."
                    )
                },
                code="no_executor",
            )
        if sum(chosen) > 1:
            raise ValidationError(
                {"executor_role": _("Choose only one executor: a role, a department or a person.")},
                code="many_executors",
            )


class ProcessInstance(records.record_link(related_name="+", required=True), BaseModel):
    """A process started on a record (a deal, an order...; see core/records.py).

    ``current_stage`` and ``current_due`` repeat the active stage and its planned end so the
    dashboard sorts running processes by them from an index (overdue ones come first)."""

    template = models.ForeignKey(
        ProcessTemplate,
        verbose_name=_("process template"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    name = models.CharField(_("name"), max_length=200)
    # The record (content_type, object_id) and its customer (company, person): record_link.
    controller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("controller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProcessStatus.choices, default=ProcessStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    current_stage = models.ForeignKey(
        "processes.ProcessStage",
        verbose_name=_("current stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_due = models.DateTimeField(_("current stage due"), null=True, blank=True)

    # Seen by whoever sees the customer, by the controller and whoever started it (and their
    # heads), and by the executors of its stages; changed by the controller's side.
    scope = scoping.SplitScope(
        view=scoping.AnyScope(
            (
                scoping.ParentScope(
                    parents=("company", "person"),
                    owner=None,
                    extra={"company": "contacts.Company", "person": "contacts.Person"},
                ),
                scoping.OwnedScope(owner="controller", curator="started_by", team=None),
                StageExecutorScope(),
            )
        ),
        change=scoping.OwnedScope(owner="controller", curator="started_by", team=None),
    )
    tracked_fields = ["name", "status", "controller", "finished_at", "cancel_reason"]

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["-started_at", "-pk"]
        indexes = [
            # The dashboard: running processes, the most overdue current stage first.
            models.Index(fields=["status", "current_due", "id"], name="process_status_due"),
            models.Index(
                fields=["controller", "status", "current_due"], name="process_controller_due"
            ),
            models.Index(fields=["template", "status", "current_due"], name="process_template_due"),
            models.Index(fields=["started_by", "status"], name="process_started_by"),
            models.Index(fields=["content_type", "object_id"], name="process_record"),
            models.Index(fields=["company", "status"], name="process_company"),
            models.Index(fields=["person", "status"], name="process_person"),
        ]
        constraints = [
            # One running process of a template per record (a rule that fires twice, a double
            # click): the second start is refused.
            models.UniqueConstraint(
                fields=["template", "content_type", "object_id"],
                condition=Q(status="running"),
                name="process_running_once",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("processes:process_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status == ProcessStatus.RUNNING


class ProcessStage(ExecutorFields, BaseModel):
    """A stage of a running process: a copy of its template stage with the executor resolved to
    a person or a department's queue and exact planned dates (a commissioning schedule is
    these rows), its state, and the task it made."""

    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("process"),
        on_delete=models.CASCADE,
        related_name="stages",
    )
    template_stage = models.ForeignKey(
        ProcessStageTemplate,
        verbose_name=_("template stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    executor_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    status = models.CharField(
        _("status"), max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    skipped_reason = models.TextField(_("reason for skipping"), blank=True, max_length=2000)
    skipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skipped by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    documents = models.JSONField(_("documents needed"), default=list, blank=True)
    is_skippable = models.BooleanField(_("may be skipped"), default=True)
    task = models.ForeignKey(
        "activities.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overdue_notified_at = models.DateTimeField(
        _("controller told of the delay"), null=True, blank=True, editable=False
    )

    scope = scoping.ParentScope(
        parents=("instance",), owner=None, extra={"instance": "processes.ProcessInstance"}
    )
    tracked_fields = [
        "name",
        "status",
        "executor_user",
        "executor_department",
        "planned_start",
        "planned_end",
        "started_at",
        "finished_at",
        "skipped_reason",
    ]

    class Meta:
        verbose_name = _("process stage")
        verbose_name_plural = _("process stages")
        ordering = ["instance", "position", "pk"]
        indexes = [
            models.Index(fields=["instance", "position"], name="procstage_instance"),
            models.Index(fields=["executor_user", "status"], name="procstage_executor"),
            models.Index(fields=["executor_department", "status"], name="procstage_queue"),
            models.Index(fields=["template_stage", "status"], name="procstage_template"),
            # The overdue scheduler reads only active stages it has not told anyone about.
            models.Index(
                fields=["planned_end"],
                name="procstage_overdue_due",
                condition=Q(status="active", overdue_notified_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=models.F("planned_start")),
                name="procstage_ends_after_start",
                violation_error_message=_("The planned end must come after the planned start."),
            ),
            models.CheckConstraint(
                condition=~(Q(executor_user__isnull=False) & Q(executor_department__isnull=False)),
                name="procstage_one_executor",
                violation_error_message=_(
                    "Choose one executor: a person or a department, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def executor_label(self) -> str:
        return str(self.executor_user or self.executor_department or "")

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STAGE_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.status == StageStatus.ACTIVE and self.planned_end < (now or timezone.now())

    def is_late(self) -> bool:
        """Finished after its planned end."""
        return bool(
            self.status == StageStatus.DONE
            and self.finished_at
            and self.finished_at > self.planned_end
        )

    def is_deviation(self, now=None) -> bool:
        """An overdue stage of a running process, or a skipped stage."""
        if self.status == StageStatus.SKIPPED:
            return True
        return self.instance.is_running and self.is_overdue(now)

    @property
    def delay(self) -> datetime.timedelta | None:
        """How far past the planned end it finished (or is, while active)."""
        if self.status == StageStatus.DONE and self.finished_at:
            late = self.finished_at - self.planned_end
        elif self.status == StageStatus.ACTIVE:
            late = timezone.now() - self.planned_end
        else:
            return None
        return late if late > datetime.timedelta(0) else None
