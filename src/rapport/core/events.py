"""Domain events, delivered only after the transaction that raised them commits."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    occurred_at: Any = field(default_factory=timezone.now)


_handlers: dict[str, list[Callable[[Event], None]]] = defaultdict(list)


def subscribe(name: str, handler: Callable[[Event], None]) -> None:
    """Register ``handler`` for events called ``name`` ("*" for all)."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Callable[[Event], None]) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def _dispatch(event: Event) -> None:
    for handler in [*_handlers.get(event.name, []), *_handlers.get("*", [])]:
        try:
            handler(event)
        except Exception:  # a subscriber must never break the write that already committed
            logger.exception("Event handler %r failed for %s", handler, event.name)


def emit(name: str, **payload: Any) -> None:
    """Queue an event; it is dispatched when the current transaction commits, never on rollback."""
    event = Event(name=name, payload=payload)
    transaction.on_commit(lambda: _dispatch(event))
