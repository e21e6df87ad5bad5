"""Hand-offs between departments (E3): send a task to another department's queue with a
deadline, acknowledge it there, return it with a reason, close it when the task is done, and
escalate the overdue ones to the head of the receiving department.

The task moves through the task services (``task_update``, ``task_take``), so its own change log
and events are the usual ones; each step of the hand-off is written to the change log with the
task's record as parent, so the record's history shows every hand-off. Decisions a user would
ask about:

- Handing a task to one's own department is refused: inside a department a task is assigned to a
  colleague or put in the department's queue; a hand-off (with its acknowledgement and
  escalation) is between departments.
- The sender keeps seeing the task, read only (``Task.scope``: whoever handed it over), on its
  page, in the API and linked from the hand-off: nothing handed over disappears from their view.
  It leaves their own task list (it is no longer theirs); "Sent by me" lists it.
- A task has one open hand-off at a time. A member of the receiving department may hand it on
  (sales → logistics → service): their hand-off is then closed as done.
- Completing the task closes its open hand-off (the "task.done" event, see ``on_task_done``);
  the escalation scheduler closes any it finds done instead of escalating it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rapport.activities.choices import OPEN_HANDOFF_STATUSES, HandoffStatus, TaskStatus
from rapport.activities.models import Handoff, Task
from rapport.activities.selectors.handoffs import department_members, heads_among, is_member
from rapport.activities.services.tasks import _parent, task_take, task_update
from rapport.contacts.models import Company, Person
from rapport.core import events, records, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.context import current_request_id
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction, ChangeRecord, NotificationKind
from rapport.core.notifications import notify
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer

REASON_LIMIT = Handoff._meta.get_field("return_reason").max_length
# A deadline typed in a form has minutes only: "now" must not count as the past.
DEADLINE_GRACE = datetime.timedelta(minutes=1)
# What the change log keeps of a hand-off at each step.
HISTORY_FIELDS = [
    "task",
    "from_user",
    "to_department",
    "note",
    "deadline",
    "status",
    "acknowledged_by",
    "acknowledged_at",
    "closed_at",
    "return_reason",
    "escalated_to",
    "escalated_at",
]


def _when(value) -> str:
    """A time in the site's time zone, in the active language's format."""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _url(handoff: Handoff) -> str:
    return reverse("activities:handoff_detail", args=[handoff.pk])


def _log(actor, handoff: Handoff, *, action=ChangeAction.UPDATE, before=None, parent=...):
    record_change(
        actor=actor,
        action=action,
        obj=handoff,
        before=before,
        after=snapshot(handoff, HISTORY_FIELDS),
        parent=_parent(handoff.task) if parent is ... else parent,
    )


def _lock(actor, handoff: Handoff) -> Handoff:
    """The hand-off re-read and locked, for a member of its receiving department only (anyone
    else, the sender included, gets NotFound: it is not theirs to answer)."""
    require_writer(actor)
    locked = (
        Handoff.objects.restrict(actor, scoping.CHANGE)
        .select_for_update(of=("self",))
        .select_related("task", "to_department", "from_user", "from_department")
        .filter(pk=handoff.pk)
        .first()
    )
    if locked is None or not is_member(actor, locked.to_department_id):
        raise NotFound()
    return locked


def _require_open(handoff: Handoff) -> None:
    if handoff.status == HandoffStatus.ACKNOWLEDGED:
        return
    if handoff.status != HandoffStatus.SENT:
        raise DomainError(
            _("This hand-off is already closed (%(status)s).")
            % {"status": handoff.get_status_display()},
            code="closed",
        )


# Sending ----------------------------------------------------------------------------------------
def _check_send(actor, task: Task, to_department, deadline, now) -> list:
    """The receiving department's members, or a clear error for each bad value."""
    errors: dict[str, list[str]] = {}
    members: list = []
    if to_department is None:
        errors["to_department"] = [_("Choose the department to hand the task to.")]
    elif is_member(actor, to_department.pk):
        errors["to_department"] = [
            _(
                "This is your own department: assign the task to a colleague or put it in "
                "the department's queue instead."
            )
        ]
    else:
        members = department_members([to_department.pk]).get(to_department.pk, [])
        if not members:
            errors["to_department"] = [
                _(
                    "%(department)s has no members: nobody would receive the hand-off. "
                    "Choose another department or ask an administrator to add people to it."
                )
                % {"department": to_department}
            ]
    if deadline is None:
        errors["deadline"] = [_("Set a deadline for the receiving department.")]
    elif deadline < now - DEADLINE_GRACE:
        errors["deadline"] = [_("The deadline is in the past. Choose a time from now on.")]
    if errors:
        raise ValidationError(errors)
    if task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS):
        raise DomainError(
            _("Only an open task can be handed over; this one is %(status)s.")
            % {"status": task.get_status_display()},
            code="task_closed",
        )
    return members


def handoff_send(
    *, actor, task: Task, to_department, deadline: datetime.datetime, note: str = ""
) -> Handoff:
    """Hand ``task`` to ``to_department``'s queue with a deadline; its members are told.

    The actor must be allowed to change the task (else NotFound)."""
    require_writer(actor)
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        task = lock_for_change(actor, task)
        members = _check_send(actor, task, to_department, deadline, now)
        previous = list(
            Handoff.objects.select_for_update(of=("self",))
            .select_related("to_department", "from_user", "task")
            .filter(task=task, status__in=OPEN_HANDOFF_STATUSES)
        )
        for open_one in previous:
            if not is_member(actor, open_one.to_department_id):
                raise DomainError(
                    _(
                        "This task is already handed to %(department)s (deadline %(deadline)s). "
                        "It can be handed on by them, or again once they return it."
                    )
                    % {"department": open_one.to_department, "deadline": _when(open_one.deadline)},
                    code="already_handed_off",
                )
        handoff = Handoff(
            task=task,
            from_user=actor,
            from_department_id=actor.department_id_for_scope,
            to_department=to_department,
            note=note,
            deadline=deadline,
        )
        handoff.full_clean()
        for open_one in previous:
            _handed_on(actor, open_one, to=handoff, now=now)
        task_update(
            actor=actor,
            task=task,
            assignee=None,
            department=to_department,
            allow_leaving_scope=True,
        )
        handoff.save()
        ensure_in_scope(actor, handoff, scoping.VIEW)
        _log(actor, handoff, action=ChangeAction.CREATE)
        _tell_receivers(actor, handoff, [m for m in members if m.pk != actor.pk])
        events.emit("handoff.sent", id=handoff.pk, task=task.pk, to_department=to_department.pk)
    return handoff


def _handed_on(actor, handoff: Handoff, *, to: Handoff, now) -> None:
    """The receiving department passes the task on: its part is done."""
    before = snapshot(handoff, HISTORY_FIELDS)
    handoff.status, handoff.closed_at = HandoffStatus.DONE, now
    handoff.save(update_fields=["status", "closed_at", "updated_at"])
    _log(actor, handoff, before=before)
    task, department = handoff.task, to.to_department
    notify(
        users=[handoff.from_user],
        kind=NotificationKind.HANDOFF,
        title=lambda user: (
            _("Your hand-off was handed on to %(department)s: %(task)s")
            % {"department": department, "task": task}
        ),
        body=lambda user: _("%(user)s passed it on.") % {"user": actor},
        url=_url(handoff),
        key=f"handoff-{handoff.pk}-done",
    )
    events.emit("handoff.done", id=handoff.pk, task=handoff.task_id)


def _tell_receivers(actor, handoff: Handoff, members: list) -> None:
    task, deadline = handoff.task, handoff.deadline
    sender_department = handoff.from_department

    def body(user):
        text = _("From %(user)s. Deadline: %(deadline)s.") % {
            "user": f"{actor} ({sender_department})" if sender_department else actor,
            "deadline": _when(deadline),
        }
        return f"{text}\n\n{handoff.note}" if handoff.note else text

    notify(
        users=members,
        kind=NotificationKind.HANDOFF,
        title=lambda user: (
            _("Hand-off to %(department)s: %(task)s")
            % {"department": handoff.to_department, "task": task}
        ),
        body=body,
        url=_url(handoff),
        key=f"handoff-{handoff.pk}-sent",
    )


# Answering --------------------------------------------------------------------------------------
def handoff_acknowledge(*, actor, handoff: Handoff, take: bool = False) -> Handoff:
    """A member of the receiving department confirms they have it (and, with ``take``, takes
    the task from the queue); the sender is told."""
    with transaction.atomic():
        handoff = _lock(actor, handoff)
        if handoff.status == HandoffStatus.ACKNOWLEDGED:
            raise DomainError(
                _("%(user)s already acknowledged this hand-off on %(when)s.")
                % {
                    "user": handoff.acknowledged_by or _("someone"),
                    "when": _when(handoff.acknowledged_at),
                },
                code="already_acknowledged",
            )
        _require_open(handoff)
        before = snapshot(handoff, HISTORY_FIELDS)
        handoff.status = HandoffStatus.ACKNOWLEDGED
        handoff.acknowledged_at, handoff.acknowledged_by = timezone.now(), actor
        handoff.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
        _log(actor, handoff, before=before)
        task = handoff.task
        if take and task.assignee_id is None and task.department_id == handoff.to_department_id:
            task_take(actor=actor, task=task)
        notify(
            users=[handoff.from_user],
            kind=NotificationKind.HANDOFF,
            title=lambda user: (
                _("%(department)s acknowledged your hand-off: %(task)s")
                % {"department": handoff.to_department, "task": task}
            ),
            body=lambda user: (
                _("Acknowledged by %(user)s on %(when)s.")
                % {"user": actor, "when": _when(handoff.acknowledged_at)}
            ),
            url=_url(handoff),
            key=f"handoff-{handoff.pk}-acknowledged",
        )
        events.emit("handoff.acknowledged", id=handoff.pk, task=task.pk)
    return handoff


def handoff_return(*, actor, handoff: Handoff, reason: str) -> Handoff:
    """A member of the receiving department sends the task back to its sender (or, if the
    sender is gone, to the sending department's queue) with a reason; the sender is told."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why you return the task, so the sender can act.")]}
        )
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {"reason": [_("The reason is at most %(n)d characters long.") % {"n": REASON_LIMIT}]}
        )
    if "\x00" in reason:
        raise ValidationError({"reason": [_("Text must not contain NUL characters.")]})
    with transaction.atomic():
        handoff = _lock(actor, handoff)
        _require_open(handoff)
        sender = handoff.from_user if handoff.from_user and handoff.from_user.is_active else None
        if sender is not None:
            target = {"assignee": sender}
        elif handoff.from_department_id and department_members([handoff.from_department_id]):
            target = {"assignee": None, "department": handoff.from_department}
        else:
            raise DomainError(
                _("Nobody is left to return this task to: hand it to another department."),
                code="no_sender",
            )
        before = snapshot(handoff, HISTORY_FIELDS)
        handoff.status, handoff.closed_at = HandoffStatus.RETURNED, timezone.now()
        handoff.return_reason = reason
        handoff.save(update_fields=["status", "closed_at", "return_reason", "updated_at"])
        task = handoff.task
        task_update(actor=actor, task=task, allow_leaving_scope=True, **target)
        _log(actor, handoff, before=before)
        told = (
            [sender]
            if sender
            else department_members([handoff.from_department_id]).get(
                handoff.from_department_id, []
            )
        )
        notify(
            users=told,
            kind=NotificationKind.HANDOFF,
            title=lambda user: (
                _("Hand-off returned by %(department)s: %(task)s")
                % {"department": handoff.to_department, "task": task}
            ),
            body=lambda user: (
                _("%(user)s returned it: %(reason)s") % {"user": actor, "reason": reason}
            ),
            url=_url(handoff),
            key=f"handoff-{handoff.pk}-returned",
            email=True,
        )
        events.emit("handoff.returned", id=handoff.pk, task=task.pk)
    return handoff


# Closing ----------------------------------------------------------------------------------------
def _close_done(actor, handoff: Handoff, now) -> None:
    before = snapshot(handoff, HISTORY_FIELDS)
    handoff.status, handoff.closed_at = HandoffStatus.DONE, now
    handoff.save(update_fields=["status", "closed_at", "updated_at"])
    _log(actor, handoff, before=before)
    task = handoff.task
    notify(
        users=[handoff.from_user],
        kind=NotificationKind.HANDOFF,
        title=lambda user: _("Hand-off done: %(task)s") % {"task": task},
        body=lambda user: (
            _("%(department)s completed the task.") % {"department": handoff.to_department}
        ),
        url=_url(handoff),
        key=f"handoff-{handoff.pk}-done",
    )
    events.emit("handoff.done", id=handoff.pk, task=task.pk)


def handoff_complete(*, actor, handoff: Handoff) -> Handoff:
    """Close the open hand-off of a task that is done (the sender or the receiving side)."""
    require_writer(actor)
    with transaction.atomic():
        locked = (
            Handoff.objects.restrict(actor, scoping.CHANGE)
            .select_for_update(of=("self",))
            .select_related("task", "to_department", "from_user")
            .filter(pk=handoff.pk)
            .first()
        )
        if locked is None:
            raise NotFound()
        _require_open(locked)
        if locked.task.status != TaskStatus.DONE:
            raise DomainError(
                _("The task is not done yet: the hand-off closes when it is."), code="not_done"
            )
        _close_done(actor, locked, timezone.now())
    return locked


def close_handoffs_of_done_task(task_id: int) -> int:
    """Close the open hand-offs of the task ``task_id`` if it is done; by whoever completed it.

    Runs after the task's own commit (``on_task_done``); the escalation scheduler does the same
    for any it finds, so a failure here is repaired, never lost."""
    with transaction.atomic():
        task = (
            Task._base_manager.select_related("completed_by")
            .filter(pk=task_id, status=TaskStatus.DONE)
            .first()
        )
        if task is None:
            return 0
        open_ones = list(
            Handoff._base_manager.select_for_update(of=("self",))
            .select_related("to_department", "from_user")
            .filter(task_id=task_id, status__in=OPEN_HANDOFF_STATUSES)
        )
        now = timezone.now()
        for handoff in open_ones:
            handoff.task = task
            _close_done(task.completed_by, handoff, now)
    return len(open_ones)


def on_task_done(event) -> None:
    """Subscribed to "task.done" (activities/apps.py)."""
    close_handoffs_of_done_task(event.payload["id"])


# Escalation -------------------------------------------------------------------------------------
def claim_due_escalations(now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Escalate up to ``batch`` open hand-offs past their deadline and not escalated yet; returns
    how many were claimed (call again until 0).

    The rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked in the same
    transaction, so any number of workers never escalate one twice (on SQLite a writing
    transaction is IMMEDIATE: workers take turns). Each goes to the head(s) of the receiving
    department, in the app and by e-mail; a department without a head has its members and the
    sender told instead. A hand-off whose task is already done is closed, not escalated."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            Handoff._base_manager.select_for_update(skip_locked=True, of=("self",))
            .select_related("task", "to_department", "from_user", "acknowledged_by")
            .filter(escalated_at__isnull=True, status__in=OPEN_HANDOFF_STATUSES, deadline__lt=now)
            .order_by("deadline", "pk")[:batch]
        )
        if not claimed:
            return 0
        members = department_members({h.to_department_id for h in claimed})
        parents = _parents([h.task for h in claimed])
        escalated: dict[int | None, list[int]] = defaultdict(list)  # by the head told
        changes = []
        for handoff in claimed:
            task = handoff.task
            if task.status == TaskStatus.DONE:  # closing it after the task's commit failed
                _close_done(task.completed_by if task.completed_by_id else None, handoff, now)
                continue
            heads = heads_among(members.get(handoff.to_department_id, []))
            before = snapshot(handoff, HISTORY_FIELDS)
            handoff.escalated_at = now
            handoff.escalated_to = heads[0] if heads else None
            escalated[handoff.escalated_to_id].append(handoff.pk)
            changes.append(_change_row(handoff, before, parents.get(task.pk)))
            _tell_escalation(handoff, heads, members.get(handoff.to_department_id, []))
            events.emit("handoff.escalated", id=handoff.pk, task=task.pk)
        # A batch is marked and logged in a few statements (one per head, one for the log).
        for head_id, ids in escalated.items():
            Handoff._base_manager.filter(pk__in=ids).update(
                escalated_at=now, escalated_to_id=head_id, updated_at=now
            )
        ChangeRecord.objects.bulk_create(changes)
    return len(claimed)


def _change_row(handoff: Handoff, before: dict, parent) -> ChangeRecord:
    """The escalation's change-log row (by the system), as ``record_change`` writes it."""
    return ChangeRecord(
        actor=None,
        request_id=current_request_id(),
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Handoff),
        object_id=handoff.pk,
        object_repr=str(handoff)[:300],
        parent_content_type=(
            ContentType.objects.get_for_model(parent, for_concrete_model=True) if parent else None
        ),
        parent_object_id=parent.pk if parent else None,
        before=before,
        after=snapshot(handoff, HISTORY_FIELDS),
    )


def _parents(tasks) -> dict:
    """{task id: the record its changes are logged under}, one query per record type."""
    found = records.records_by_key(
        (t.content_type_id, t.object_id) for t in tasks if t.content_type_id
    )
    parents = {}
    for task in tasks:
        record = found.get((task.content_type_id, task.object_id))
        if record is not None:
            parents[task.pk] = record
        # As ``_parent`` does, without reading the customer: the change log needs its type and
        # id only.
        elif task.person_id:
            parents[task.pk] = Person(pk=task.person_id)
        elif task.company_id:
            parents[task.pk] = Company(pk=task.company_id)
    return parents


def _tell_escalation(handoff: Handoff, heads: list, members: list) -> None:
    task, sender = handoff.task, handoff.from_user

    def body(user):
        if handoff.status == HandoffStatus.SENT:
            text = _("Sent by %(user)s; the deadline was %(deadline)s and nobody acknowledged it.")
        else:
            text = _(
                "Sent by %(user)s; acknowledged by %(acknowledged)s, but the task was not done "
                "by the deadline, %(deadline)s."
            )
        text %= {
            "user": sender or _("someone"),
            "deadline": _when(handoff.deadline),
            "acknowledged": handoff.acknowledged_by or _("someone"),
        }
        if not heads:
            text += " " + _(
                "%(department)s has no head, so its members and the sender are told instead."
            ) % {"department": handoff.to_department}
        return text

    def title(user):
        if heads:
            text = _("Overdue hand-off to %(department)s: %(task)s")
        else:
            text = _("Overdue hand-off to %(department)s (no head to escalate to): %(task)s")
        return text % {"department": handoff.to_department, "task": task}

    told = heads or [*members, sender]
    notify(
        users=told,
        kind=NotificationKind.HANDOFF,
        title=title,
        body=body,
        url=_url(handoff),
        key=f"handoff-{handoff.pk}-escalated",
        email=True,
    )
