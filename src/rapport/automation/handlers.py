"""The event subscriber: after a write commits, queue a background task for the rules it may set
off. Nothing else happens in the request (a rule's actions never slow a user down)."""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType

from rapport.automation.chain import current_chain
from rapport.core.events import Event

logger = logging.getLogger(__name__)


def _plain(payload: dict) -> dict:
    return {
        key: value
        for key, value in payload.items()
        if value is None or isinstance(value, str | int | float | bool)
    }


def on_event(event: Event) -> None:
    from rapport.automation.services.rules import content_types_with_event_rules
    from rapport.automation.services.runs import record_type_for_event
    from rapport.automation.tasks import handle_event

    found = record_type_for_event(event.name)
    if found is None:
        return
    kind, _suffix = found
    content_type = ContentType.objects.get_for_model(kind.model)
    if content_type.pk not in content_types_with_event_rules():
        return
    handle_event.enqueue(
        event.name, _plain(event.payload), event.occurred_at.isoformat(), list(current_chain())
    )
