"""The chain of rules that led to a change, so rules triggering each other cannot run away.

While a rule's actions run, the events they emit are tagged with the chain of rule ids that led
to them: the chain is set on the thread's context around the run's own commit (the events of a
transaction are dispatched at its commit, in the order they were queued), and the event handler
passes it on with the event to the background task. A run at depth ``MAX_DEPTH`` is not done
but logged as a stopped loop.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import transaction

MAX_DEPTH = 3

_chain: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())


def current_chain() -> tuple[int, ...]:
    return _chain.get()


class chain_during_commit:
    """Use inside the run's ``transaction.atomic()`` block, around its actions: the events they
    emit see ``chain`` when they are dispatched (at commit), and only they do."""

    def __init__(self, chain: tuple[int, ...]):
        self.chain = tuple(chain)
        self.tokens: list = []

    def __enter__(self):
        transaction.on_commit(lambda: self.tokens.append(_chain.set(self.chain)), robust=True)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            transaction.on_commit(self._reset, robust=True)
        return False

    def _reset(self) -> None:
        if self.tokens:
            _chain.reset(self.tokens.pop())
