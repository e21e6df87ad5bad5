"""Checking a rule before it is saved: its record type, trigger, conditions and actions, each
against the record type's model. A rule that would trigger itself without end is refused here;
``rule_warnings`` says what is allowed but deserves a second look."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.activities.choices import TaskPriority
from rapport.automation import expressions, targets
from rapport.automation.choices import ActionKind, Assignee, Match, Recipient, Trigger

MAX_ACTIONS = 10
TITLE_LIMIT = 200
SUBJECT_LIMIT = 200
BODY_LIMIT = 10000
NOTE_LIMIT = 2000
MAX_DAYS = 365


def _int(value: Any, *, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(message)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None
    if not low <= number <= high:
        raise ValidationError(message)
    return number


def _active_user(value: Any):
    from rapport.accounts.models import User

    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        raise ValidationError(_("Choose an active user."))
    return user


def _department_with_members(value: Any):
    from rapport.accounts.models import Department, User

    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    department = Department.objects.filter(pk=pk).first() if pk else None
    if department is None:
        raise ValidationError(_("Choose a department."))
    members = User.objects.filter(is_active=True, department=department) | User.objects.filter(
        is_active=True, team__department=department
    )
    if not members.exists():
        raise ValidationError(
            _("The department “%(department)s” has no members: nobody would see the task.")
            % {"department": department}
        )
    return department


def process_template_model():
    """The process templates' model, when the processes app is installed."""
    if not apps.is_installed("rapport.processes"):
        return None
    try:
        return apps.get_model("processes", "ProcessTemplate")
    except LookupError:
        return None


def _clean_action(rule, model, label: str, action: Any) -> dict:
    if not isinstance(action, dict):
        raise ValidationError(_("Choose what the action does."))
    kind = action.get("type")
    if kind not in ActionKind.values:
        raise ValidationError(_("Choose what the action does."))
    if kind == ActionKind.CREATE_TASK:
        title = expressions.clean_template(model, action.get("title"), limit=TITLE_LIMIT).strip()
        if not title:
            raise ValidationError(_("Give the task a title."))
        assignee = action.get("assignee") or Assignee.OWNER
        if assignee not in Assignee.values:
            raise ValidationError(_("Choose who does the task."))
        cleaned = {
            "type": kind,
            "title": title,
            "assignee": assignee,
            "user": None,
            "department": None,
            "due_in_days": _int(
                action.get("due_in_days") or 0,
                low=0,
                high=MAX_DAYS,
                message=_("The task is due in 0 to %(n)d days.") % {"n": MAX_DAYS},
            ),
            "priority": _int(
                action.get("priority") or TaskPriority.NORMAL,
                low=min(TaskPriority.values),
                high=max(TaskPriority.values),
                message=_("Choose a priority from the list."),
            ),
        }
        if assignee == Assignee.OWNER and targets.owner_field(model) is None:
            raise ValidationError(
                _("%(model)s have no owner: give the task to a user or a department.")
                % {"model": str(model._meta.verbose_name_plural).capitalize()}
            )
        if assignee == Assignee.USER:
            cleaned["user"] = _active_user(action.get("user")).pk
        if assignee == Assignee.DEPARTMENT:
            cleaned["department"] = _department_with_members(action.get("department")).pk
        return cleaned
    if kind == ActionKind.START_PROCESS:
        template_model = process_template_model()
        if template_model is None:
            raise ValidationError(_("Business processes are not installed."))
        try:
            pk = int(action.get("template"))
        except (TypeError, ValueError):
            pk = None
        template = template_model._base_manager.filter(pk=pk).first() if pk else None
        if template is None:
            raise ValidationError(_("Choose a process template."))
        if not getattr(template, "is_active", True):
            raise ValidationError(
                _("The process template “%(template)s” is not active.") % {"template": template}
            )
        if getattr(template, "record_type", label) != label:
            raise ValidationError(
                _("The process template “%(template)s” is for another kind of record.")
                % {"template": template}
            )
        return {"type": kind, "template": template.pk}
    if kind == ActionKind.SEND_EMAIL:
        kind_of_record = rule.record_type
        if kind_of_record is None or not kind_of_record.person:
            raise ValidationError(
                _("%(model)s have no contact person to e-mail.")
                % {"model": str(model._meta.verbose_name_plural).capitalize()}
            )
        subject = expressions.clean_template(model, action.get("subject"), limit=SUBJECT_LIMIT)
        body = expressions.clean_template(model, action.get("body"), limit=BODY_LIMIT)
        if not subject.strip() or not body.strip():
            raise ValidationError(_("Give the e-mail a subject and a text."))
        return {"type": kind, "subject": subject.strip(), "body": body}
    if kind == ActionKind.SET_FIELD:
        name = action.get("field")
        allowed = targets.settable_fields(label, model)
        if name not in allowed:
            raise ValidationError(
                _("A rule cannot set “%(field)s” of %(model)s. It may set: %(allowed)s.")
                % {
                    "field": str(name)[:60],
                    "model": model._meta.verbose_name_plural,
                    "allowed": ", ".join(expressions.field_label(model, n) for n in allowed) or "—",
                }
            )
        field = model._meta.get_field(name)
        value = expressions.clean_field_value(field, action.get("value"))
        return {"type": kind, "field": name, "value": value}
    # ActionKind.NOTIFY
    recipient = action.get("recipient") or Recipient.OWNER
    if recipient not in Recipient.values:
        raise ValidationError(_("Choose whom to notify."))
    title = expressions.clean_template(model, action.get("title"), limit=TITLE_LIMIT).strip()
    if not title:
        raise ValidationError(_("Give the notification a title."))
    cleaned = {
        "type": kind,
        "recipient": recipient,
        "user": None,
        "title": title,
        "body": expressions.clean_template(model, action.get("body"), limit=NOTE_LIMIT),
        "email": action.get("email") in (True, "true", "on", "1", 1),
    }
    if recipient == Recipient.OWNER and targets.owner_field(model) is None:
        raise ValidationError(
            _("%(model)s have no owner: choose a user to notify.")
            % {"model": str(model._meta.verbose_name_plural).capitalize()}
        )
    if recipient == Recipient.USER:
        cleaned["user"] = _active_user(action.get("user")).pk
    return cleaned


def clean_actions(rule, model, label: str, actions: Any) -> list[dict]:
    if not isinstance(actions, list) or not actions:
        raise ValidationError(_("Add at least one action."))
    if len(actions) > MAX_ACTIONS:
        raise ValidationError(_("A rule has at most %(n)d actions.") % {"n": MAX_ACTIONS})
    cleaned, errors = [], []
    for number, action in enumerate(actions, start=1):
        try:
            cleaned.append(_clean_action(rule, model, label, action))
        except ValidationError as exc:
            errors.extend(
                _("Action %(n)d: %(error)s") % {"n": number, "error": message}
                for message in exc.messages
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_trigger(rule, model, kind) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    field_name = (rule.trigger_field or "").strip()
    if rule.trigger != Trigger.FIELD_CHANGED and rule.trigger != Trigger.DATE_APPROACHING:
        field_name = ""
    if rule.trigger == Trigger.FIELD_CHANGED:
        if field_name not in expressions.tracked_fields(model):
            errors["trigger_field"] = [
                _(
                    "Choose the field to watch from the list (changes of “%(field)s” are not "
                    "recorded)."
                )
                % {"field": field_name[:60]}
                if field_name
                else _("Choose the field to watch.")
            ]
    if rule.trigger == Trigger.DATE_APPROACHING:
        if field_name not in kind.dates:
            errors["trigger_field"] = [_("Choose a date of the record from the list.")]
        if rule.days_before is None or not 0 <= rule.days_before <= MAX_DAYS:
            errors["days_before"] = [
                _("Give the number of days before the date: 0 to %(n)d.") % {"n": MAX_DAYS}
            ]
    else:
        rule.days_before = None
    if rule.trigger == Trigger.STAGE_REACHED:
        stage = targets.stage_field(model)
        if stage is None:
            errors["trigger"] = [
                _("%(model)s have no stages.")
                % {"model": str(model._meta.verbose_name_plural).capitalize()}
            ]
        elif (
            rule.trigger_stage is None
            or not stage.related_model._base_manager.filter(pk=rule.trigger_stage).exists()
        ):
            errors["trigger_stage"] = [_("Choose the stage.")]
    else:
        rule.trigger_stage = None
    rule.trigger_field = field_name
    return errors


def _self_loop(rule) -> str | None:
    """The field the rule both watches and sets with no condition on it: each run would change
    it again and trigger the next run (refused; with a condition on that field it may stop)."""
    if rule.trigger != Trigger.FIELD_CHANGED:
        return None
    sets = {a.get("field") for a in rule.actions if a.get("type") == ActionKind.SET_FIELD}
    watched = {c["field"] for c in rule.conditions}
    if rule.trigger_field in sets and rule.trigger_field not in watched:
        return rule.trigger_field
    return None


def validate_rule(rule) -> None:
    """Clean ``rule`` in place (stored forms of conditions and actions) or raise a
    ValidationError naming each problem; nothing of a refused rule is saved."""
    errors: dict[str, list[str]] = {}
    kind = rule.record_type
    if kind is None:
        raise ValidationError({"content_type": [_("Choose a kind of record from the list.")]})
    model = kind.model
    if rule.trigger not in Trigger.values:
        raise ValidationError({"trigger": [_("Choose when the rule runs.")]})
    if rule.match not in Match.values:
        rule.match = Match.ALL
    errors.update(_clean_trigger(rule, model, kind))
    try:
        rule.conditions = expressions.clean_conditions(model, rule.conditions)
    except ValidationError as exc:
        errors["conditions"] = exc.messages
    try:
        rule.actions = clean_actions(rule, model, kind.label, rule.actions)
    except ValidationError as exc:
        errors["actions"] = exc.messages
    if not errors:
        looping = _self_loop(rule)
        if looping:
            errors["actions"] = [
                _(
                    "This rule would trigger itself without end: it sets “%(field)s”, the field "
                    "it watches. Add a condition on “%(field)s” that the new value no longer "
                    "meets, or set another field."
                )
                % {"field": expressions.field_label(model, looping)}
            ]
    if errors:
        raise ValidationError(errors)
