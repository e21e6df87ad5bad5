"""Administrator writes: site settings, custom field definitions, and the save and delete every
app's reference data (pipelines, distribution rules, web forms...) goes through."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.custom_fields import forget_definitions
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import (
    ChangeAction,
    CustomFieldDefinition,
    CustomFieldType,
    SiteConfiguration,
)
from rapport.core.services import require_administrator


def reference_save(*, actor, obj, event: str, parent=None):
    """Create or update a row of reference data: administrators only, validated, in the change
    log, announced as ``<event>.created`` / ``<event>.updated``."""
    require_administrator(actor)
    with transaction.atomic():
        created = obj.pk is None
        before = None if created else snapshot(type(obj).objects.get(pk=obj.pk))
        obj.full_clean()
        obj.save()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
            obj=obj,
            before=before,
            after=snapshot(obj),
            parent=parent,
        )
        events.emit(f"{event}.{'created' if created else 'updated'}", id=obj.pk)
    return obj


def reference_delete(*, actor, obj, event: str, parent=None, in_use_message=None) -> None:
    """Delete a row of reference data; one still used elsewhere is refused with a reason."""
    require_administrator(actor)
    try:
        with transaction.atomic():
            record_change(
                actor=actor,
                action=ChangeAction.DELETE,
                obj=obj,
                before=snapshot(obj),
                parent=parent,
            )
            pk = obj.pk
            obj.delete()
            events.emit(f"{event}.deleted", id=pk)
    except ProtectedError as exc:
        message = in_use_message or _("%(name)s is still in use; it cannot be deleted.")
        raise DomainError(message % {"name": obj}, code="in_use") from exc


def site_configuration_update(*, actor, **fields) -> SiteConfiguration:
    require_administrator(actor)
    with transaction.atomic():
        config = SiteConfiguration.objects.select_for_update().get_or_create(pk=1)[0]
        before = snapshot(config, ["stale_after_days", "two_factor_roles"])
        for key, value in fields.items():
            setattr(config, key, value)
        config.full_clean()
        config.save()
        transaction.on_commit(SiteConfiguration.forget)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=config,
            before=before,
            after=snapshot(config, ["stale_after_days", "two_factor_roles"]),
        )
    return config


def _clean_choices(definition: CustomFieldDefinition) -> None:
    if definition.field_type == CustomFieldType.CHOICE:
        choices = [str(c).strip() for c in definition.choices or [] if str(c).strip()]
        if not choices:
            raise ValidationError({"choices": _("A choice field needs at least one choice.")})
        definition.choices = list(dict.fromkeys(choices))
    else:
        definition.choices = []


def custom_field_save(*, actor, definition: CustomFieldDefinition) -> CustomFieldDefinition:
    require_administrator(actor)
    with transaction.atomic():
        created = definition.pk is None
        before = None
        if not created:
            before = snapshot(CustomFieldDefinition.objects.get(pk=definition.pk))
        _clean_choices(definition)
        definition.full_clean()
        definition.save()
        transaction.on_commit(forget_definitions)
        forget_definitions()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
            obj=definition,
            before=before,
            after=snapshot(definition),
        )
    return definition


def custom_field_delete(*, actor, definition: CustomFieldDefinition) -> None:
    """Remove the definition; values stay in the records' JSON (restored if re-created)."""
    require_administrator(actor)
    with transaction.atomic():
        record_change(
            actor=actor, action=ChangeAction.DELETE, obj=definition, before=snapshot(definition)
        )
        definition.delete()
        transaction.on_commit(forget_definitions)
        forget_definitions()
