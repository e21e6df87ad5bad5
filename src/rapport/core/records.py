"""Record types other records may be attached to: a task, a process or a rule on a deal, say;
and the fields of a model attached to one (``record_link``).

An app declares its record types in ``<app>/records.py``::

    RECORDS = [RecordType("sales.deal", company="customer")]

``company`` and ``person`` name the fields that lead to the customer the record concerns (so a
task on a deal shows on the customer's card and is seen by whoever sees the customer); ``dates``
names the date fields an automation rule may count down to. The app that attaches things (tasks,
processes, rules) never imports the apps whose records it attaches to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping
from rapport.core.errors import NotFound


def record_link(*, related_name: str, required: bool = False) -> type[models.Model]:
    """An abstract model with the fields of something about a record (any record type) and the
    customer that record concerns: a task, a meeting, a process. ``content_type`` and
    ``object_id`` name the record (always one when ``required``, else both or neither: each
    model keeps its own check constraint and indexes); ``company`` and ``person`` are reached
    back from the customer as ``related_name`` ("tasks", or "+" for none).

    A function, not one abstract class, because the models differ in exactly these two ways
    and ``related_name="%(class)ss"`` would deconstruct differently from the names the
    migrations hold (an AlterField for nothing)."""
    optional = {"null": not required, "blank": not required}
    fields = {
        "content_type": models.ForeignKey(
            ContentType,
            verbose_name=_("record type"),
            on_delete=models.CASCADE,
            related_name="+",
            **optional,
        ),
        "object_id": models.BigIntegerField(_("record"), **optional),
        "company": models.ForeignKey(
            "contacts.Company",
            verbose_name=_("company"),
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name=related_name,
        ),
        "person": models.ForeignKey(
            "contacts.Person",
            verbose_name=_("person"),
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name=related_name,
        ),
    }
    meta = type("Meta", (), {"abstract": True})
    return type("RecordLink", (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


@dataclass(frozen=True)
class RecordType:
    label: str  # "app_label.model_name", lower case
    company: str | None = None
    person: str | None = None
    dates: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def customer_of(self, obj: models.Model) -> tuple[int | None, int | None]:
        """(company id, person id) of the customer ``obj`` concerns."""
        company = getattr(obj, f"{self.company}_id", None) if self.company else None
        person = getattr(obj, f"{self.person}_id", None) if self.person else None
        if self.company and company is None and self.company == "pk":
            company = obj.pk
        if self.person and person is None and self.person == "pk":
            person = obj.pk
        return company, person


@cache
def _registry() -> dict[str, RecordType]:
    found: dict[str, RecordType] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("rapport.") and module_has_submodule(config.module, "records"):
            module = import_module(f"{config.name}.records")
            for record_type in getattr(module, "RECORDS", []):
                found[record_type.label] = record_type
    return found


def record_types() -> list[RecordType]:
    """Every record type, in INSTALLED_APPS order."""
    return list(_registry().values())


def record_type(label: str) -> RecordType | None:
    return _registry().get(label.lower())


def record_type_of(obj_or_model) -> RecordType | None:
    return _registry().get(obj_or_model._meta.label_lower)


def content_type_choices() -> list[tuple[int, str]]:
    """(content type id, the record type's name) for forms and filters."""
    types = record_types()
    by_model = ContentType.objects.get_for_models(*(t.model for t in types))
    return [(by_model[t.model].pk, t.verbose_name.capitalize()) for t in types]


def find_record(actor, label: str, object_id, action: str = scoping.VIEW) -> models.Model:
    """The record ``label``/``object_id`` if it may have things attached and ``actor`` sees it;
    otherwise NotFound (a record one may not see and one that does not exist look the same)."""
    kind = record_type(label or "")
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if kind is None:
        raise NotFound()
    obj = kind.model.objects.restrict(actor, action).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def find_record_by_content_type(actor, content_type_id, object_id, action=scoping.VIEW):
    try:
        content_type = ContentType.objects.get_for_id(int(content_type_id))
    except (TypeError, ValueError, ContentType.DoesNotExist):
        raise NotFound() from None
    return find_record(actor, f"{content_type.app_label}.{content_type.model}", object_id, action)


def records_by_key(keys) -> dict[tuple[int, int], models.Model]:
    """{(content type id, object id): record} for many keys at once: one query per record type,
    never one per row (a list of tasks shows the record each is attached to)."""
    wanted: dict[int, set[int]] = {}
    for content_type_id, object_id in keys:
        if content_type_id and object_id:
            wanted.setdefault(content_type_id, set()).add(object_id)
    found: dict[tuple[int, int], models.Model] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            found[(content_type_id, obj.pk)] = obj
    return found
