"""Rule writes (administrators): save with validation and warnings, delete."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils.translation import gettext as _

from rapport.automation import expressions
from rapport.automation.chain import MAX_DEPTH
from rapport.automation.choices import ActionKind, Trigger
from rapport.automation.models import Rule
from rapport.core.configuration import reference_delete, reference_save
from rapport.core.services import require_administrator

EVENT = "automation_rule"
EVENT_TRIGGERS = (Trigger.CREATED, Trigger.FIELD_CHANGED, Trigger.STAGE_REACHED)

# Which record types have active event rules: the event handler asks on every event of the
# base, so the answer is remembered for a few seconds per process (and forgotten at once in the
# process that saved a rule).
_memo: tuple[float, frozenset[int]] | None = None
MEMO_SECONDS = 10


def content_types_with_event_rules() -> frozenset[int]:
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < MEMO_SECONDS:
        return _memo[1]
    found = frozenset(
        Rule.objects.filter(is_active=True, trigger__in=EVENT_TRIGGERS)
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    _memo = (now, found)
    return found


def forget_rules() -> None:
    global _memo
    _memo = None


def rule_save(*, actor, rule: Rule) -> tuple[Rule, list[str]]:
    """Create or change a rule; it will run as ``actor`` (its actions are theirs). Returns the
    rule and the warnings to show (an e-mailing rule, a rule that may trigger others)."""
    require_administrator(actor)
    rule.author = actor
    rule.name = " ".join((rule.name or "").split())
    with transaction.atomic():
        reference_save(actor=actor, obj=rule, event=EVENT)
        transaction.on_commit(forget_rules)
    forget_rules()
    return rule, rule_warnings(rule)


def rule_delete(*, actor, rule: Rule) -> None:
    """Delete a rule and its run log."""
    with transaction.atomic():
        reference_delete(actor=actor, obj=rule, event=EVENT)
        transaction.on_commit(forget_rules)


def _sets(rule: Rule) -> dict[str, object]:
    return {
        action["field"]: action.get("value")
        for action in rule.actions
        if action.get("type") == ActionKind.SET_FIELD
    }


def _triggers(setter: Rule, other: Rule) -> bool:
    """Whether a run of ``setter`` may set off ``other`` (same record type)."""
    sets = _sets(setter)
    if other.trigger == Trigger.FIELD_CHANGED:
        return other.trigger_field in sets
    if other.trigger == Trigger.STAGE_REACHED and "stage" in sets:
        # Moving to the stage the rule is about; a rule that sets its own stage does not move.
        return sets["stage"] == other.trigger_stage and not (
            setter.pk == other.pk and setter.trigger == Trigger.STAGE_REACHED
        )
    return False


def _cycle_through(rule: Rule, rules: list[Rule]) -> list[Rule]:
    """A chain of rules leading from ``rule`` back to itself, or []."""
    by_pk = {r.pk: r for r in rules}
    by_pk[rule.pk] = rule
    stack = [(rule, [rule])]
    seen: set[int] = set()
    while stack:
        current, path = stack.pop()
        for other in by_pk.values():
            if not _triggers(current, other):
                continue
            if other.pk == rule.pk:
                return path
            if other.pk not in seen:
                seen.add(other.pk)
                stack.append((other, [*path, other]))
    return []


def rule_warnings(rule: Rule) -> list[str]:
    """What an administrator should know about a (valid) rule before relying on it."""
    warnings: list[str] = []
    model = rule.model
    if any(a.get("type") == ActionKind.SEND_EMAIL for a in rule.actions):
        warnings.append(
            _(
                "This rule e-mails customers. People who have withdrawn their consent to e-mails "
                "are not written to; each such refusal is noted in the rule's run log."
            )
        )
    if rule.trigger == Trigger.FIELD_CHANGED and rule.trigger_field in _sets(rule):
        warnings.append(
            _(
                "This rule sets “%(field)s”, the field it watches: its conditions must stop it "
                "once the field has the new value. A chain of rules triggering each other stops "
                "after %(n)d runs."
            )
            % {"field": expressions.field_label(model, rule.trigger_field), "n": MAX_DEPTH}
        )
    if rule.is_active:
        others = list(
            Rule.objects.filter(content_type_id=rule.content_type_id, is_active=True).exclude(
                pk=rule.pk
            )
        )
        cycle = _cycle_through(rule, others)
        if len(cycle) > 1:
            warnings.append(
                _(
                    "These rules may trigger each other in a circle: %(rules)s. A chain of rules "
                    "stops after %(n)d runs and the run log shows where."
                )
                % {"rules": " → ".join(f"“{r.name}”" for r in [*cycle, rule]), "n": MAX_DEPTH}
            )
    return warnings
