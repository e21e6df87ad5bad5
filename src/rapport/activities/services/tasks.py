"""Tasks: create, change, move through their states, tick the checklist, take from a queue.

Business processes, hand-offs and automation rules create and move tasks through these services
too, so every task change is validated once and written to the change log once. ``task_create``
is the one-task case of ``tasks_create_many`` (``tasks_build`` checks, ``tasks_save`` writes), the
lean path automation rules take for a batch of runs.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.choices import OPEN_TASK_STATUSES, HandoffStatus, TaskStatus
from rapport.activities.models import Task
from rapport.contacts.models import Company, Person
from rapport.core import events, records, scoping
from rapport.core.changelog import change_row, record_change, record_changes, snapshot
from rapport.core.errors import DomainError, NotFound, OutOfScope, ValidationError
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
        if "\x00" in item["text"]:
            # PostgreSQL refuses a NUL in text (SQLite would keep it): refuse it everywhere.
            raise ValidationError({"checklist": [_("A checklist item cannot contain a NUL byte.")]})
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


def _check_people(tasks: dict[int, Task]) -> dict[int, Exception]:
    """{index: error} of the tasks nobody would do: an assignee no longer active, a department
    queue nobody works in, or neither (one query per check, whatever the number of tasks)."""
    from rapport.accounts.models import User

    assignees = {t.assignee_id for t in tasks.values() if t.assignee_id}
    departments = {t.department_id for t in tasks.values() if not t.assignee_id and t.department_id}
    active: set[int] = set()
    if assignees:
        active = set(
            User.objects.filter(pk__in=assignees, is_active=True).values_list("pk", flat=True)
        )
    staffed: set[int] = set()
    if departments:
        members = (
            User.objects.filter(is_active=True)
            .filter(Q(department_id__in=departments) | Q(team__department_id__in=departments))
            .values_list("department_id", "team__department_id")
            .distinct()
        )
        staffed = {pk for pair in members for pk in pair if pk in departments}
    errors: dict[int, Exception] = {}
    for index, task in tasks.items():
        if task.assignee_id:
            if task.assignee_id not in active:
                errors[index] = ValidationError({"assignee": [_("This user is no longer active.")]})
        elif task.department_id:
            if task.department_id not in staffed:
                errors[index] = ValidationError(
                    {
                        "department": [
                            _("This department has no members: nobody would see the task.")
                        ]
                    }
                )
        else:
            errors[index] = ValidationError(
                {"assignee": [_("Choose who does the task: a person or a department's queue.")]}
            )
    return errors


def _check_person(task: Task) -> None:
    """``_check_people`` for one task (its assignee or queue changed)."""
    errors = _check_people({0: task})
    if errors:
        raise errors[0]


@dataclass
class _Draft:
    """A task being made and what it is to be attached to (see ``_attach``)."""

    task: Task
    record: Any = None
    company: Company | None = None
    person: Person | None = None


def _attach(actor, drafts: dict[int, _Draft]) -> dict[int, Exception]:
    """Link each task to its record (any registered record type) or to a customer; the actor
    must see what a task is attached to (one query per record type for all the tasks).
    Returns {index: error} of the tasks that cannot be attached."""
    wanted: dict[type, set[int]] = defaultdict(set)
    errors: dict[int, Exception] = {}
    for index, draft in drafts.items():
        if draft.record is not None:
            if records.record_type_of(draft.record) is None:
                errors[index] = ValidationError(
                    _("Tasks cannot be attached to this kind of record.")
                )
            else:
                wanted[type(draft.record)].add(draft.record.pk)
            continue
        if draft.company is not None:
            wanted[Company].add(draft.company.pk)
        if draft.person is not None:
            wanted[Person].add(draft.person.pk)
    visible = {
        model: set(model.objects.restrict(actor).filter(pk__in=ids).values_list("pk", flat=True))
        for model, ids in wanted.items()
    }
    for index, draft in drafts.items():
        if index in errors:
            continue
        task, record = draft.task, draft.record
        if record is not None:
            if record.pk not in visible[type(record)]:
                errors[index] = NotFound()
                continue
            kind = records.record_type_of(record)
            task.content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
            task.object_id = record.pk
            task.company_id, task.person_id = kind.customer_of(record)
        elif draft.company is not None and draft.company.pk not in visible[Company]:
            errors[index] = NotFound()
        elif draft.person is not None and draft.person.pk not in visible[Person]:
            errors[index] = NotFound()
        else:
            task.company, task.person = draft.company, draft.person
    return errors


def _parent(task: Task):
    """Where the task shows in the change log: its record, else its customer."""
    return _parents([task])[task.pk]


def _parents(tasks: list[Task]) -> dict[int, Any]:
    """{task id: where it shows in the change log}: its record (one query per record type for
    all the tasks), else its customer."""
    found = records.records_by_key(
        [(t.content_type_id, t.object_id) for t in tasks if t.content_type_id and t.object_id]
    )
    return {
        t.pk: found.get((t.content_type_id, t.object_id)) or t.person or t.company for t in tasks
    }


# Relations whose rows the checks establish (an active assignee, a queue with members, a record
# or customer the actor sees, the actor, the assignee's team): ``full_clean`` does not read each
# of them again, one query per relation and task.
CHECKED_RELATIONS = [
    "assignee",
    "author",
    "team",
    "department",
    "content_type",
    "company",
    "person",
]


def _draft(
    actor,
    *,
    title: str,
    assignee=None,
    department=None,
    record=None,
    company=None,
    person=None,
    checklist: Any = None,
    **fields,
) -> _Draft:
    task = Task(
        title=" ".join((title or "").split()),
        assignee=assignee,
        department=department if assignee is None else None,
        author=actor if getattr(actor, "pk", None) else None,
        checklist=clean_checklist(checklist),
        **fields,
    )
    task.team_id = getattr(assignee, "team_id", None) if assignee else None
    return _Draft(task, record=record, company=company, person=person)


def tasks_build(
    *, actor, items: Iterable[dict], allow_past_due: bool = False
) -> list[Task | Exception]:
    """New tasks checked as ``task_create`` checks one (the same checks, the same errors), not
    saved yet: for each item (``task_create``'s keyword arguments) the task or its error. The
    database is read once per kind of check, whatever the number of items."""
    require_writer(actor)
    now = timezone.now()
    results: list[Task | Exception | None] = []
    drafts: dict[int, _Draft] = {}
    for index, item in enumerate(items):
        try:
            drafts[index] = _draft(actor, **item)
        except ValidationError as exc:
            results.append(exc)
        else:
            results.append(None)

    def fail(errors: dict[int, Exception]) -> None:
        for index, error in errors.items():
            results[index] = error
            del drafts[index]

    fail(_attach(actor, drafts))
    fail(_check_people({index: draft.task for index, draft in drafts.items()}))
    for index, draft in list(drafts.items()):
        task = draft.task
        try:
            _check_times(task, due_changed=not allow_past_due, reminder_changed=True, now=now)
            # The record link is whole by construction (``_attach``) and kept so by the
            # database's constraint: no query per task to check it again.
            task.full_clean(exclude=CHECKED_RELATIONS, validate_constraints=False)
        except ValidationError as exc:
            fail({index: exc})
        else:
            results[index] = task
    return results  # type: ignore[return-value]


def tasks_save(*, actor, tasks: list[Task]) -> list[Task]:
    """Save the tasks ``tasks_build`` made: one INSERT, the change log in one more, the events
    after the commit. Every task must stay in the actor's view, else none is saved."""
    if not tasks:
        return []
    with transaction.atomic():
        Task.objects.bulk_create(tasks, batch_size=1000)
        ids = [task.pk for task in tasks]
        if Task.objects.restrict(actor, scoping.VIEW).filter(pk__in=ids).count() != len(ids):
            raise OutOfScope()
        parents = _parents(tasks)
        record_changes(
            change_row(
                actor=actor,
                action=ChangeAction.CREATE,
                obj=task,
                after=snapshot(task),
                parent=parents[task.pk],
            )
            for task in tasks
        )
        for task in tasks:
            events.emit("task.created", id=task.pk, assignee=task.assignee_id)
    return tasks


def tasks_create_many(*, actor, items: Iterable[dict], allow_past_due: bool = False) -> list[Task]:
    """Create many tasks at once (``task_create``'s keyword arguments per item), each checked as
    ``task_create`` checks one; the first item that fails raises its error and none is saved."""
    built = tasks_build(actor=actor, items=items, allow_past_due=allow_past_due)
    for result in built:
        if isinstance(result, Exception):
            raise result
    return tasks_save(actor=actor, tasks=built)  # type: ignore[arg-type]


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
    item = {
        "title": title,
        "assignee": assignee,
        "department": department,
        "record": record,
        "company": company,
        "person": person,
        "checklist": checklist,
        **fields,
    }
    [task] = tasks_create_many(actor=actor, items=[item], allow_past_due=allow_past_due)
    return task


def task_update(
    *,
    actor,
    task: Task,
    if_match=None,
    checklist: Any = ...,
    allow_leaving_scope: bool = False,
    **fields,
) -> Task:
    """Change a task's details (not its status: see ``task_set_status``).

    ``allow_leaving_scope`` is for hand-offs (services/handoffs.py): a task handed to another
    department, or returned to its sender, may leave what the actor sees; the hand-off stays in
    the actor's view."""
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
            _check_person(task)
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
        if not allow_leaving_scope:
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
        _acknowledge_handoffs_on_take(actor, task)
    return task


def _acknowledge_handoffs_on_take(actor, task: Task) -> None:
    """Taking a handed-over task from the queue acknowledges its hand-off: the sender learns
    who has it, and it is not escalated as if nobody had answered."""
    from rapport.activities.models import Handoff
    from rapport.activities.services.handoffs import handoff_acknowledge

    waiting = Handoff._base_manager.filter(
        task=task, status=HandoffStatus.SENT, to_department_id=task.department_id
    )
    for handoff in waiting:
        handoff_acknowledge(actor=actor, handoff=handoff)


def task_delete(*, actor, task: Task, if_match=None) -> None:
    with transaction.atomic():
        task = lock_for_change(actor, task, if_match=if_match)
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
