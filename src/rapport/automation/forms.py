"""The rule editor: the rule's own fields (a form) and rows of conditions and actions, read from
and written back to the page. Which fields, operators and inputs a row offers follows the
record type and the choices already made; htmx re-renders the editor when one changes."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.activities.choices import TaskPriority
from rapport.automation import expressions, selectors, targets
from rapport.automation.choices import (
    UNARY,
    ActionKind,
    Assignee,
    Match,
    Operator,
    Recipient,
    Trigger,
)
from rapport.automation.models import NAME_LIMIT, Rule
from rapport.core import records

CONDITION_KEYS = ("field", "operator", "value")
ACTION_KEYS = (
    "type",
    "title",
    "assignee",
    "user",
    "department",
    "due_in_days",
    "priority",
    "template",
    "subject",
    "body",
    "field",
    "value",
    "recipient",
    "email",
)
MAX_ROWS = 30
# What a new action row starts with.
ACTION_DEFAULTS = {
    ActionKind.CREATE_TASK: {
        "assignee": Assignee.OWNER,
        "due_in_days": 0,
        "priority": TaskPriority.NORMAL,
    },
    ActionKind.NOTIFY: {"recipient": Recipient.OWNER},
}
_ROW = re.compile(r"^(conditions|actions)-(\d+)-(\w+)$")


class RuleForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=NAME_LIMIT)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    record_type = forms.ChoiceField(label=_("Record type"), choices=())
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices)
    trigger_field = forms.ChoiceField(label=_("Field"), required=False, choices=())
    trigger_stage = forms.ChoiceField(label=_("Stage"), required=False, choices=())
    days_before = forms.IntegerField(
        label=_("Days before"), required=False, min_value=0, max_value=365
    )
    match = forms.ChoiceField(label=_("Run when"), choices=Match.choices, initial=Match.ALL)
    # Holders of the rows' errors (the rows themselves are read from the page by RuleEditor).
    conditions = forms.CharField(required=False, widget=forms.HiddenInput)
    actions = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, model=None, label="", trigger="", refresh=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("record_type", "trigger"):
            self.fields[name].widget.attrs.update(refresh or {})
        self.fields["record_type"].choices = [("", "—"), *selectors.record_type_choices()]
        field_choices: list[tuple[str, str]] = []
        if model is not None and trigger == Trigger.FIELD_CHANGED:
            field_choices = [
                (name, expressions.field_label(model, name))
                for name in expressions.tracked_fields(model)
            ]
        elif model is not None and trigger == Trigger.DATE_APPROACHING:
            kind = records.record_type(label)
            field_choices = [
                (name, expressions.field_label(model, name))
                for name in (kind.dates if kind else ())
            ]
        self.fields["trigger_field"].choices = [("", "—"), *field_choices]
        self.fields["trigger_stage"].choices = [("", "—"), *selectors.stage_choices(model)]
        self.fields["days_before"].help_text = _(
            "The rule runs once for each record whose date is this many days away or nearer "
            "(a birthday: every year)."
        )


@dataclass
class Row:
    """One condition or action row as the page shows it."""

    part: str  # "conditions" or "actions"
    index: int
    values: dict
    inputs: dict = field(default_factory=dict)  # name -> choices or a widget description

    @property
    def prefix(self) -> str:
        return f"{self.part}-{self.index}"

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def name_value(self) -> str:
        return f"{self.prefix}-value"

    @property
    def name_user(self) -> str:
        return f"{self.prefix}-user"

    @property
    def user_list(self) -> list[str]:
        return _as_list(self.values.get("user"))


def _rows(data, prefix: str, keys: tuple[str, ...]) -> list[dict]:
    found: dict[int, dict] = {}
    for name in data:
        match = _ROW.match(name)
        if not match or match.group(1) != prefix or match.group(3) not in keys:
            continue
        index = int(match.group(2))
        if index >= MAX_ROWS:
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        found.setdefault(index, {})[match.group(3)] = values if len(values) > 1 else values[0]
    return [found[i] for i in sorted(found)]


def _widget(model_field, *, multiple: bool = False) -> dict:
    """How the page asks for a value of ``model_field``."""
    kind = expressions.field_kind(model_field)
    if kind == expressions.RELATION:
        if model_field.related_model._meta.label_lower == "accounts.user":
            return {"type": "user", "multiple": multiple}
        options = selectors.related_options(model_field)
        if options is not None:
            return {"type": "select", "options": options, "multiple": multiple}
        return {"type": "input", "input": "text" if multiple else "number"}
    if kind == expressions.CHOICE:
        options = [(str(k), str(v)) for k, v in model_field.flatchoices if k not in (None, "")]
        return {"type": "select", "options": options, "multiple": multiple}
    if kind == expressions.BOOLEAN:
        return {"type": "select", "options": [("true", _("yes")), ("false", _("no"))]}
    if multiple:
        return {"type": "input", "input": "text"}
    return {
        "type": "input",
        "input": {
            expressions.NUMBER: "number",
            expressions.DATE: "date",
            expressions.DATETIME: "datetime-local",
        }.get(kind, "text"),
    }


def _local_minutes(value: str) -> str:
    """A stored date and time as a datetime-local input shows it (site time, to the minute)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


class RuleEditor:
    """The form and the rows, from a saved rule or from what the page sent."""

    def __init__(self, rule: Rule, data=None, *, refresh: bool = False, url: str = ""):
        self.rule = rule
        self.url = url
        self.data = data
        if data is not None:
            label = data.get("record_type", "")
            trigger = data.get("trigger", "")
            conditions = _rows(data, "conditions", CONDITION_KEYS)
            actions = _rows(data, "actions", ACTION_KEYS)
            removed = data.get("_remove", "")
            if removed:
                prefix, _dash, number = removed.partition("-")
                target = conditions if prefix == "conditions" else actions
                if number.isdigit() and int(number) < len(target):
                    target.pop(int(number))
        else:
            label = selectors.label_of(rule)
            trigger = rule.trigger
            conditions = [dict(c) for c in rule.conditions]
            actions = [dict(a) for a in rule.actions]
        self.label = label
        kind = records.record_type(label)
        self.model = kind.model if kind else None
        self.conditions = [c for c in conditions if c.get("field")]
        self.actions = [a for a in actions if a.get("type")]
        form_kwargs = {
            "model": self.model,
            "label": label,
            "trigger": trigger,
            "refresh": self.refresh_attrs(),
        }
        if data is not None and not refresh:
            self.form = RuleForm(data, **form_kwargs)
        elif data is not None:
            # A re-render after a choice: the values as sent, no errors yet.
            self.form = RuleForm(initial=self._initial_from(data), **form_kwargs)
        else:
            self.form = RuleForm(initial=self._initial_from_rule(), **form_kwargs)
        self._user_names: dict[str, str] = {}

    def refresh_attrs(self) -> dict[str, str]:
        """Attributes of a select whose change re-renders the editor (htmx)."""
        return {
            "hx-post": self.url,
            "hx-trigger": "change",
            "hx-target": "#rule-form",
            "hx-swap": "outerHTML",
            "hx-vals": '{"_refresh": "1"}',
            # Two quick choices: the second request (with both) replaces the first.
            "hx-sync": "closest form:replace",
        }

    @staticmethod
    def _initial_from(data) -> dict:
        return {
            name: data.get(name)
            for name in (
                "name",
                "record_type",
                "trigger",
                "trigger_field",
                "trigger_stage",
                "days_before",
                "match",
            )
        } | {"is_active": data.get("is_active") in ("on", "true", "1")}

    def _initial_from_rule(self) -> dict:
        rule = self.rule
        return {
            "name": rule.name,
            "is_active": rule.is_active if rule.pk else True,
            "record_type": self.label,
            "trigger": rule.trigger,
            "trigger_field": rule.trigger_field,
            "trigger_stage": rule.trigger_stage,
            "days_before": rule.days_before,
            "match": rule.match or Match.ALL,
        }

    # Reading the page into the rule ---------------------------------------------------------
    def is_valid(self) -> bool:
        return self.form.is_valid()

    def apply(self) -> Rule:
        """The rule with the page's values (validated by the rule itself when it is saved)."""
        data = self.form.cleaned_data
        rule = self.rule
        rule.name = data["name"]
        rule.is_active = data["is_active"]
        content_type = selectors.content_type_for(data["record_type"])
        rule.content_type_id = content_type.pk if content_type else None
        rule.trigger = data["trigger"]
        rule.trigger_field = data.get("trigger_field") or ""
        stage = data.get("trigger_stage")
        rule.trigger_stage = int(stage) if stage else None
        rule.days_before = data.get("days_before")
        rule.match = data["match"]
        rule.conditions = [
            {
                "field": c.get("field"),
                "operator": c.get("operator"),
                "value": c.get("value"),
            }
            for c in self.conditions
        ]
        rule.actions = [self._action_value(a) for a in self.actions]
        return rule

    @staticmethod
    def _action_value(row: dict) -> dict:
        value = {key: row.get(key) for key in ACTION_KEYS if key in row}
        value["email"] = row.get("email") in ("on", "true", "1", True)
        return value

    # What the page shows ---------------------------------------------------------------------
    def condition_rows(self) -> list[Row]:
        model = self.model
        if model is None:
            return []
        fields = expressions.condition_fields(model)
        field_options = [(name, expressions.field_label(model, name)) for name in fields]
        rows = []
        for index, values in enumerate([*self.conditions, {}]):
            model_field = fields.get(values.get("field") or "")
            kind = expressions.field_kind(model_field) if model_field else None
            operators = [
                (op, Operator(op).label)
                for op in (expressions.OPERATORS[kind] if kind else Operator.values)
            ]
            row = Row("conditions", index, values, {"field": field_options, "operator": operators})
            operator = values.get("operator")
            if operator not in dict(operators):
                operator = operators[0][0] if operators else ""
            value_list = _as_list(values.get("value"))
            if kind == expressions.DATETIME:
                value_list = [_local_minutes(v) for v in value_list]
            row.values = {**values, "operator": operator, "value_list": value_list}
            if model_field is not None and operator not in UNARY:
                row.inputs["value"] = _widget(model_field, multiple=operator == Operator.IN)
                self._remember_users(row.inputs["value"], row.values["value_list"])
            rows.append(row)
        return rows

    def action_rows(self) -> list[Row]:
        model = self.model
        if model is None:
            return []
        settable = [
            (name, expressions.field_label(model, name))
            for name in targets.settable_fields(self.label, model)
        ]
        rows = []
        for index, values in enumerate([*self.actions, {}]):
            kind = values.get("type")
            values = {
                **ACTION_DEFAULTS.get(kind, {}),
                **{k: v for k, v in values.items() if v not in (None, "")},
            }
            row = Row("actions", index, {**values, "value_list": _as_list(values.get("value"))})
            if kind == ActionKind.CREATE_TASK:
                row.inputs = {
                    "assignee": Assignee.choices,
                    "department": selectors.department_choices(),
                    "priority": [(str(v), str(label)) for v, label in TaskPriority.choices],
                }
                self._remember_users({"type": "user"}, _as_list(values.get("user")))
            elif kind == ActionKind.START_PROCESS:
                row.inputs = {"template": selectors.process_template_choices(self.label)}
            elif kind == ActionKind.SET_FIELD:
                row.inputs = {"field": settable}
                name = values.get("field")
                if name in dict(settable):
                    row.inputs["value"] = _widget(model._meta.get_field(name))
                    self._remember_users(row.inputs["value"], row.values["value_list"])
            elif kind == ActionKind.NOTIFY:
                row.inputs = {"recipient": Recipient.choices}
                self._remember_users({"type": "user"}, _as_list(values.get("user")))
            rows.append(row)
        return rows

    def _remember_users(self, widget: dict, values: list[str]) -> None:
        if widget.get("type") == "user":
            for value in values:
                if value.isdigit():
                    self._user_names.setdefault(value, "")

    def user_names(self) -> dict[str, str]:
        """Names of the users chosen in the rows (the selects carry only the chosen option)."""
        from rapport.accounts.models import User

        wanted = [int(pk) for pk in self._user_names]
        if wanted:
            for user in User.objects.filter(pk__in=wanted):
                self._user_names[str(user.pk)] = str(user)
        return self._user_names

    def context(self) -> dict:
        conditions = self.condition_rows()
        actions = self.action_rows()
        refresh = format_html_join(" ", '{}="{}"', self.refresh_attrs().items())
        return {
            "form": self.form,
            "refresh": refresh,
            "user_widget": {"type": "user"},
            "condition_rows": conditions,
            "action_rows": actions,
            "action_kinds": ActionKind.choices,
            "user_names": self.user_names(),
            "user_autocomplete": reverse("accounts:user_autocomplete"),
            "placeholders": expressions.placeholders(self.model) if self.model else [],
            "has_stages": bool(self.model and targets.stage_field(self.model)),
            "trigger": self.form["trigger"].value(),
        }
