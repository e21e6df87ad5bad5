"""What a rule does to a record: each action through the service that owns the change (tasks,
processes, the mail outbox and the timeline, the record's own update service, notifications)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.automation import expressions, targets
from rapport.automation.choices import ActionKind, Assignee, Recipient
from rapport.core import records
from rapport.core.errors import DomainError


@dataclass(frozen=True)
class Outcome:
    """What one action did (``done``) or why it did nothing, for the run log."""

    kind: str
    done: bool
    detail: str

    def as_json(self) -> dict:
        return {"action": self.kind, "done": self.done, "detail": self.detail[:500]}


def _user(pk, batch=None):
    from rapport.accounts.models import User

    if not pk:
        return None
    if batch is not None:  # the same user for every run of a batch: read once
        return batch.remember(("user", pk), User.objects.filter(pk=pk, is_active=True).first)
    return User.objects.filter(pk=pk, is_active=True).first()


def _url(record) -> str:
    try:
        return record.get_absolute_url()
    except Exception:  # a record type without a page of its own
        return ""


def create_task(action: dict, *, rule, run, record, actor, batch=None) -> Outcome:
    """A task about the record; in a ``batch`` it is checked and saved with the batch's other
    tasks when the batch is written (the outcome's task number is filled in then)."""
    from rapport.accounts.models import Department
    from rapport.activities.services.tasks import task_create

    assignee = department = None
    if action["assignee"] == Assignee.OWNER:
        assignee = targets.owner_of(record)
        if assignee is None or not assignee.is_active:
            raise DomainError(_("The record has no active owner to give the task to."))
    elif action["assignee"] == Assignee.USER:
        assignee = _user(action.get("user"), batch)
        if assignee is None:
            raise DomainError(_("The user chosen for the task is no longer active."))
    else:
        pk = action.get("department")
        find = Department.objects.filter(pk=pk).first
        department = batch.remember(("department", pk), find) if batch is not None else find()
        if department is None:
            raise DomainError(_("The department chosen for the task no longer exists."))
    title = " ".join(expressions.render_template(record, action["title"]).split())[:200]
    item = {
        "title": title or rule.name[:200],
        "assignee": assignee,
        "department": department,
        "record": record,
        "due_at": timezone.now() + datetime.timedelta(days=action.get("due_in_days") or 0),
        "priority": action.get("priority") or 2,
        "description": _("Created by the automation rule “%(rule)s”.") % {"rule": rule.name},
    }
    who = assignee if assignee is not None else department
    if batch is not None:
        batch.tasks.append((run, action["_index"], item, who))
        return Outcome(ActionKind.CREATE_TASK, True, "")
    task = task_create(actor=actor, allow_past_due=True, **item)
    return task_outcome(task, who)


def task_outcome(task, who) -> Outcome:
    return Outcome(
        ActionKind.CREATE_TASK,
        True,
        _("Task “%(title)s” for %(who)s (#%(id)s).")
        % {"title": task.title, "who": who, "id": task.pk},
    )


def _process_start():
    """The processes app's start service, imported only when a rule starts a process (the app
    may be absent, or move the service between its modules, without stopping other actions)."""
    try:
        from rapport.processes.services import process_start
    except ImportError:
        from rapport.processes.services.instances import process_start
    return process_start


def start_process(action: dict, *, rule, run, record, actor) -> Outcome:
    from rapport.automation.validation import process_template_model

    template_model = process_template_model()
    if template_model is None:
        raise DomainError(_("Business processes are not installed."))
    template = template_model._base_manager.filter(pk=action.get("template")).first()
    if template is None or not getattr(template, "is_active", True):
        raise DomainError(_("The process template no longer exists or is not active."))
    process = _process_start()(actor=actor, template=template, record=record)
    return Outcome(
        ActionKind.START_PROCESS,
        True,
        _("Process “%(process)s” started (#%(id)s).")
        % {"process": process, "id": getattr(process, "pk", "")},
    )


def send_email(action: dict, *, rule, run, record, actor) -> Outcome:
    """E-mail the record's person (never one who withdrew consent to e-mails: that refusal is
    the outcome, and the rule's other actions still run). The e-mail is logged on the
    customer's timeline and leaves the outbox only if the whole run commits."""
    from rapport.activities.choices import ActivityKind, Direction
    from rapport.activities.services.activities import activity_log
    from rapport.contacts.consent import email_consent_withdrawn
    from rapport.contacts.models import Company, Person

    kind = records.record_type_of(record)
    company_id, person_id = kind.customer_of(record) if kind else (None, None)
    person = Person._base_manager.filter(pk=person_id).first() if person_id else None
    if person is None:
        return Outcome(ActionKind.SEND_EMAIL, False, _("No e-mail sent: the record has no person."))
    if not person.email:
        return Outcome(
            ActionKind.SEND_EMAIL,
            False,
            _("No e-mail sent: %(person)s has no e-mail address.") % {"person": person.full_name},
        )
    if email_consent_withdrawn(person):
        return Outcome(
            ActionKind.SEND_EMAIL,
            False,
            _("No e-mail sent: %(person)s has withdrawn consent to e-mails.")
            % {"person": person.full_name},
        )
    # Dates and numbers in the texts follow the customer's language.
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(expressions.render_template(record, action["subject"]).split())
        body = expressions.render_template(record, action["body"])
    company = Company._base_manager.filter(pk=company_id).first() if company_id else None
    activity_log(
        actor=actor,
        company=company,
        person=person,
        kind=ActivityKind.EMAIL,
        direction=Direction.OUTBOUND,
        subject=subject[:200],
        body=body,
    )
    message = EmailMessage(subject=subject[:200], body=body, to=[person.email])
    transaction.on_commit(message.send, robust=True)
    return Outcome(
        ActionKind.SEND_EMAIL,
        True,
        _("E-mail “%(subject)s” sent to %(email)s.") % {"subject": subject, "email": person.email},
    )


def set_field(action: dict, *, rule, run, record, actor) -> Outcome:
    label = record._meta.label_lower
    writer = targets.writer_for(label)
    name = action["field"]
    if writer is None or name not in targets.settable_fields(label, type(record)):
        raise DomainError(_("A rule can no longer set “%(field)s”.") % {"field": name})
    field = record._meta.get_field(name)
    stored = action.get("value")
    if field.is_relation:
        value = None
        if stored is not None:
            value = field.related_model._base_manager.filter(pk=stored).first()
            if value is None:
                raise DomainError(
                    _("The value chosen for “%(field)s” no longer exists.")
                    % {"field": field.verbose_name}
                )
        current = getattr(record, field.attname)
        new = value.pk if value is not None else None
    else:
        value = field.to_python(stored) if stored is not None else None
        if value is None and not field.null:
            value = ""
        current = getattr(record, field.attname)
        new = value
    if current == new:
        # Writing the same value would change nothing and tell nobody: leave the record alone.
        return Outcome(
            ActionKind.SET_FIELD,
            False,
            _("“%(field)s” already had this value.") % {"field": field.verbose_name},
        )
    updated = writer(actor=actor, record=record, **{name: value})
    return Outcome(
        ActionKind.SET_FIELD,
        True,
        _("“%(field)s” set to “%(value)s”.")
        % {"field": field.verbose_name, "value": expressions.display_value(updated, name)},
    )


def notify_someone(action: dict, *, rule, run, record, actor, batch=None) -> Outcome:
    """Tell the record's owner or a chosen user; in a ``batch`` the notification is made with
    the batch's others when the batch is written."""
    from rapport.core.models import NotificationKind
    from rapport.core.notifications import Notice, notify_many

    if action["recipient"] == Recipient.OWNER:
        user = targets.owner_of(record)
    else:
        user = _user(action.get("user"), batch)
    if user is None or not user.is_active:
        return Outcome(ActionKind.NOTIFY, False, _("Nobody to notify: the record has no owner."))
    title, body = action["title"], action.get("body") or ""
    notice = Notice(
        users=[user],
        kind=NotificationKind.RULE,
        title=lambda recipient: expressions.render_template(record, title),
        body=(lambda recipient: expressions.render_template(record, body)) if body else "",
        url=_url(record),
        key=f"automation:{run.pk}:{action.get('_index', 0)}",
        email=bool(action.get("email")),
    )
    if batch is not None:
        batch.notices.append((run, notice))
    else:
        notify_many([notice])
    return Outcome(ActionKind.NOTIFY, True, _("%(user)s notified.") % {"user": user})


PERFORM = {
    ActionKind.CREATE_TASK: create_task,
    ActionKind.START_PROCESS: start_process,
    ActionKind.SEND_EMAIL: send_email,
    ActionKind.SET_FIELD: set_field,
    ActionKind.NOTIFY: notify_someone,
}


# Actions that can leave their writes to the end of a batch of runs (see services/batches.py).
BATCHED = frozenset({ActionKind.CREATE_TASK, ActionKind.NOTIFY})


def perform(action: dict, index: int, *, rule, run, record, actor, batch=None) -> Outcome:
    handler = PERFORM.get(action.get("type"))
    if handler is None:
        raise DomainError(_("Action %(n)d is of an unknown kind.") % {"n": index + 1})
    extra = {"batch": batch} if batch is not None and action.get("type") in BATCHED else {}
    return handler(
        {**action, "_index": index}, rule=rule, run=run, record=record, actor=actor, **extra
    )
