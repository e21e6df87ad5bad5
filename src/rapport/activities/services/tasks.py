"""Tasks: create, change, move through their states, tick the checklist, take from a queue.

Business processes, hand-offs and automation rules create and move tasks through these services
too, so every task change is validated once and written to the change log once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.choices import OPEN_TASK_STATUSES, TaskStatus
from rapport.activities.models import Task
from rapport.contacts.models import Company, Person
from rapport.core import events, records
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer

CHECKLIST_LIMIT = 50
CHECKLIST_TEXT_LIMIT = 200

# The moves a task may make; anything else is refused with a message.
MOVES: dict[str, set[str]] = {
    TaskStatus.OPEN: {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.IN_PROGRESS: {TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.DONE: {TaskStatus.OPEN},
    TaskStatus.CANCELLED: {TaskStatus.OPEN},
}


def clean_checklist(items: Any) -> list[dict]:
    """The checklist as stored: a list of {"text", "done"}; anything else is a clear error."""
    if items in (None, ""):
        return []
    if not isinstance(items, list):
        raise ValidationError({"checklist": [_("The checklist must be a list of items.")]})
    if len(items) > CHECKLIST_LIMIT:
        raise ValidationError(
            {"checklist": [_("A checklist has at most %(n)d items.") % {"n": CHECKLIST_LIMIT}]}
        )
    cleaned = []
    for item in items:
        if isinstance(item, str):
            item = {"text": item, "done": False}
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValidationError({"checklist": [_("Each checklist item needs a text.")]})
        text = " ".join(item["text"].split())
        if not text:
            raise ValidationError({"checklist": [_("Each checklist item needs a text.")]})
        if len(text) > CHECKLIST_TEXT_LIMIT:
            raise ValidationError(
                {
                    "checklist": [
                        _("A checklist item is at most %(n)d characters long.")
                        % {"n": CHECKLIST_TEXT_LIMIT}
                    ]
                }
            )
        cleaned.append({"text": text, "done": bool(item.get("done"))})
    return cleaned


def _check_times(task: Task, *, due_changed: bool, reminder_changed: bool, now) -> None:
    errors: dict[str, list[str]] = {}
    if due_changed and task.due_at and task.due_at < now - datetime.timedelta(minutes=1):
        errors["due_at"] = [_("The due time is in the past. Choose a time from now on.")]
    if reminder_changed and task.remind_at:
        if task.remind_at < now - datetime.timedelta(minutes=1):
            errors["remind_at"] = [_("The reminder time is in the past.")]
        elif task.due_at and task.remind_at > task.due_at:
            errors["remind_at"] = [_("The reminder must come before the due time.")]
    if errors:
        raise ValidationError(errors)


def _check_people(actor, task: Task) -> None:
    from rapport.accounts.models import User

    if task.assignee_id:
        if not User.objects.filter(pk=task.assignee_id, is_active=True).exists():
            raise ValidationError({"assignee": [_("This user is no longer active.")]})
    elif task.department_id:
        members = User.objects.filter(is_active=True).filter(
            department_id=task.department_id
        ) | User.objects.filter(is_active=True, team__department_id=task.department_id)
        if not members.exists():
            raise ValidationError(
                {"department": [_("This department has no members: nobody would see the task.")]}
            )
    else:
        raise ValidationError(
            {"assignee": [_("Choose who does the task: a person or a department's queue.")]}
        )


def _attach(actor, task: Task, *, record=None, company=None, person=None) -> None:
    """Link the task to ``record`` (any registered record type) or to a customer; the actor
    must see what the task is attached to."""
    if record is not None:
        kind = records.record_type_of(record)
        if kind is None:
            raise ValidationError(_("Tasks cannot be attached to this kind of record."))
        if not type(record).objects.restrict(actor).filter(pk=record.pk).exists():
            raise NotFound()
        task.content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
        task.object_id = record.pk
        company_id, person_id = kind.customer_of(record)
        task.company_id, task.person_id = company_id, person_id
        return
    if company is not None and not Company.objects.restrict(actor).filter(pk=company.pk).exists():
        raise NotFound()
    if person is not None and not Person.objects.restrict(actor).filter(pk=person.pk).exists():
        raise NotFound()
    task.company, task.person = company, person


def _parent(task: Task):
    """Where the task shows in the change log: its record, else its customer."""
    if task.content_type_id and task.object_id:
        found = records.records_by_key([(task.content_type_id, task.object_id)])
        record = found.get((task.content_type_id, task.object_id))
        if record is not None:
            return record
    return task.person or task.company


def task_create(
    *,
    actor,
    title: str,
    assignee=None,
    department=None,
    record=None,
    company=None,
    person=None,
    checklist: Any = None,
    allow_past_due: bool = False,
    **fields,
) -> Task:
    """A new task for ``assignee`` (or waiting in ``department``'s queue).

    ``allow_past_due`` is for processes and rules that plan stages on their own clock; a person
    typing a due time in the past gets an error."""
    require_writer(actor)
    now = timezone.now()
    task = Task(
        title=" ".join((title or "").split()),
        assignee=assignee,
        department=department if assignee is None else None,
        author=actor if getattr(actor, "pk", None) else None,
        checklist=clean_checklist(checklist),
        **fields,
    )
    task.team_id = getattr(assignee, "team_id", None) if assignee else None
    _attach(actor, task, record=record, company=company, person=person)
    _check_people(actor, task)
    _check_times(task, due_changed=not allow_past_due, reminder_changed=True, now=now)
    with transaction.atomic():
        task.full_clean()
        task.save()
        ensure_in_scope(actor, task, "view")
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=task,
            after=snapshot(task),
            parent=_parent(task),
        )
        events.emit("task.created", id=task.pk, assignee=task.assignee_id)
    return task


def task_update(*, actor, task: Task, if_match=None, checklist: Any = ..., **fields) -> Task:
    """Change a task's details (not its status: see ``task_set_status``)."""
    fields.pop("status", None)
    with transaction.atomic():
        task = lock_for_change(actor, task, if_match=if_match)
        before = snapshot(task)
        old_due, old_remind = task.due_at, task.remind_at
        old_assignee, old_department = task.assignee_id, task.department_id
        for key, value in fields.items():
            setattr(task, key, value)
        if checklist is not ...:
            task.checklist = clean_checklist(checklist)
        task.title = " ".join((task.title or "").split())
        if task.assignee_id != old_assignee:
            task.team_id = task.assignee.team_id if task.assignee_id else None
            if task.assignee_id:
                task.department = None
        if task.assignee_id != old_assignee or task.department_id != old_department:
            _check_people(actor, task)
        if task.remind_at != old_remind:
            task.reminded_at = None
        _check_times(
            task,
            due_changed=task.due_at != old_due,
            reminder_changed=task.remind_at != old_remind,
            now=timezone.now(),
        )
        task.full_clean()
        task.save()
        ensure_in_scope(actor, task, "view")
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=task,
            before=before,
            after=snapshot(task),
            parent=_parent(task),
        )
        events.emit("task.updated", id=task.pk)
        if task.assignee_id != old_assignee and task.assignee_id:
            events.emit("task.assigned", id=task.pk, assignee=task.assignee_id)
    return task


def task_set_status(*, actor, task: Task, status: str, if_match=None) -> Task:
    """Start, complete, cancel or reopen a task, along the allowed moves only."""
    if status not in TaskStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        task = lock_for_change(actor, task, if_match=if_match)
        if status == task.status:
            return task
        if status not in MOVES[task.status]:
            raise DomainError(
                _("A task that is %(current)s cannot become %(new)s.")
                % {
                    "current": task.get_status_display(),
                    "new": TaskStatus(status).label,
                },
                code="invalid_move",
            )
        before = snapshot(task)
        task.status = status
        if status == TaskStatus.DONE:
            task.completed_at, task.completed_by = timezone.now(), actor
        elif status in OPEN_TASK_STATUSES:
            task.completed_at, task.completed_by = None, None
        task.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=task,
            before=before,
            after=snapshot(task),
            parent=_parent(task),
        )
        events.emit(f"task.{status}", id=task.pk)
    return task


def task_check_item(*, actor, task: Task, index: int, done: bool) -> Task:
    """Tick (or untick) one checklist item."""
    with transaction.atomic():
        task = lock_for_change(actor, task)
        items = list(task.checklist or [])
        if not 0 <= index < len(items):
            raise NotFound()
        before = snapshot(task)
        items[index] = {**items[index], "done": bool(done)}
        task.checklist = items
        task.save(update_fields=["checklist", "updated_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=task,
            before=before,
            after=snapshot(task),
            parent=_parent(task),
        )
    return task


def task_take(*, actor, task: Task) -> Task:
    """A member of the department takes a task waiting in its queue."""
    with transaction.atomic():
        task = lock_for_change(actor, task)
        if task.assignee_id:
            raise DomainError(
                _("%(user)s has already taken this task.") % {"user": task.assignee},
                code="taken",
            )
        before = snapshot(task)
        task.assignee, task.team_id = actor, actor.team_id
        task.save(update_fields=["assignee", "team", "updated_at"])
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=task,
            before=before,
            after=snapshot(task),
            parent=_parent(task),
        )
        events.emit("task.assigned", id=task.pk, assignee=actor.pk)
    return task


def task_delete(*, actor, task: Task) -> None:
    with transaction.atomic():
        task = lock_for_change(actor, task)
        parent = _parent(task)
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=task,
            before=snapshot(task),
            parent=parent,
        )
        pk = task.pk
        task.delete()
        events.emit("task.deleted", id=pk)
