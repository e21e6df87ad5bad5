"""Reads of the automation app: the rule list, a rule's run log, the choices its editor offers."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rapport.automation import expressions, targets
from rapport.automation.choices import RunStatus, Trigger
from rapport.automation.models import Rule, RuleRun
from rapport.automation.validation import process_template_model
from rapport.core import records

# A foreign key whose table is at most this long is offered as a list; longer ones by id.
SMALL_TABLE = 200


def rules_for(user) -> list[Rule]:
    """Every rule (administrators only see any), with what the list shows, in a fixed number
    of queries: the stages named by stage triggers are read together."""
    rules = list(Rule.objects.restrict(user).select_related("author").order_by("name", "pk"))
    stage_ids: dict[type, set[int]] = {}
    for rule in rules:
        model = rule.model
        field = targets.stage_field(model) if model else None
        if rule.trigger == Trigger.STAGE_REACHED and field is not None and rule.trigger_stage:
            stage_ids.setdefault(field.related_model, set()).add(rule.trigger_stage)
    names: dict[tuple[type, int], str] = {}
    for model, ids in stage_ids.items():
        for obj in model._base_manager.filter(pk__in=ids):
            names[(model, obj.pk)] = str(obj)
    for rule in rules:
        rule.trigger_text = describe_trigger(rule, names)
    return rules


def describe_trigger(rule: Rule, stage_names: dict | None = None) -> str:
    """“Deal: stage reached: Negotiation”, “Invoice: 3 days before due date”..."""
    model = rule.model
    if model is None:
        return _("(a kind of record that no longer exists)")
    kind = str(model._meta.verbose_name).capitalize()
    if rule.trigger == Trigger.FIELD_CHANGED:
        what = _("“%(field)s” changes") % {
            "field": expressions.field_label(model, rule.trigger_field)
        }
    elif rule.trigger == Trigger.STAGE_REACHED:
        field = targets.stage_field(model)
        name = None
        if field is not None and rule.trigger_stage:
            if stage_names is None:
                stage = field.related_model._base_manager.filter(pk=rule.trigger_stage).first()
                name = str(stage) if stage else None
            else:
                name = stage_names.get((field.related_model, rule.trigger_stage))
        what = _("stage “%(stage)s” reached") % {"stage": name or _("(deleted stage)")}
    elif rule.trigger == Trigger.DATE_APPROACHING:
        what = _("%(days)d days before “%(field)s”") % {
            "days": rule.days_before or 0,
            "field": expressions.field_label(model, rule.trigger_field),
        }
    else:
        what = _("created")
    return f"{kind}: {what}"


def runs_of(rule: Rule, *, status: str = "") -> QuerySet[RuleRun]:
    """A rule's run log, newest first (optionally of one status): an index range read."""
    runs = RuleRun.objects.filter(rule=rule)
    if status in RunStatus.values:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-pk")


def record_links(runs) -> dict[int, str]:
    """{run id: link to its record} for a page of runs: one query per record type."""
    found = records.records_by_key((run.content_type_id, run.object_id) for run in runs)
    links = {}
    for run in runs:
        record = found.get((run.content_type_id, run.object_id))
        if record is not None and hasattr(record, "get_absolute_url"):
            try:
                links[run.pk] = record.get_absolute_url()
            except Exception:  # a record without a page
                continue
    return links


# The editor's choices -------------------------------------------------------------------------
def record_type_choices() -> list[tuple[str, str]]:
    return [(kind.label, kind.verbose_name.capitalize()) for kind in records.record_types()]


def content_type_for(label: str) -> ContentType | None:
    kind = records.record_type(label or "")
    return ContentType.objects.get_for_model(kind.model) if kind else None


def label_of(rule: Rule) -> str:
    kind = rule.record_type
    return kind.label if kind else ""


def related_options(field) -> list[tuple[str, str]] | None:
    """(id, name) of a small related table, or None when it is too long to list."""
    model = field.related_model
    manager = model._base_manager
    if model._meta.label_lower == "accounts.user":
        rows = manager.filter(is_active=True).order_by("last_name", "first_name", "pk")
    else:
        rows = manager.all()
    rows = list(rows[: SMALL_TABLE + 1])
    if len(rows) > SMALL_TABLE:
        return None
    return [(str(row.pk), str(row)) for row in rows]


def stage_choices(model) -> list[tuple[str, str]]:
    field = targets.stage_field(model) if model else None
    if field is None:
        return []
    stages = field.related_model._base_manager.all()
    if hasattr(field.related_model, "pipeline"):
        stages = stages.select_related("pipeline").order_by("pipeline__name", "position", "pk")
    return [
        (str(stage.pk), f"{stage.pipeline} · {stage}" if hasattr(stage, "pipeline") else str(stage))
        for stage in stages
    ]


def department_choices() -> list[tuple[str, str]]:
    from rapport.accounts.models import Department

    return [(str(d.pk), str(d)) for d in Department.objects.order_by("name", "pk")]


def process_template_choices(label: str) -> list[tuple[str, str]]:
    model = process_template_model()
    if model is None:
        return []
    rows = model._base_manager.filter(is_active=True)
    if any(f.name == "record_type" for f in model._meta.concrete_fields):
        rows = rows.filter(record_type=label)
    return [(str(t.pk), str(t)) for t in rows.order_by("name", "pk")]
