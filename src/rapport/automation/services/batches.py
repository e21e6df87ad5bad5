"""A chunk of date runs done as one: their tasks and notifications written together.

A date rule whose actions only create tasks and notify (birthdays, invoices falling due) runs
its claimed records in chunks: each run's actions check what they can on their own (an owner to
give the task to, someone to notify) and collect what they would write; at the end of the chunk
the tasks are checked together as ``task_create`` checks one (``tasks_build``), saved in one
INSERT with their change log (``tasks_save``) and the notifications made by one ``notify_many``,
all in the chunk's transaction with the runs' outcomes. A run whose task fails the checks is
marked failed with the reason and nothing of it is written (its notifications neither), as if
it had run alone. Any other error rolls the chunk back and the caller runs it again run by run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.utils import translation

from rapport.automation.chain import chain_during_commit
from rapport.automation.choices import RunStatus
from rapport.automation.models import Rule, RuleRun
from rapport.automation.services.actions import BATCHED, task_outcome
from rapport.automation.services.runs import _finish, _language, error_message

logger = logging.getLogger(__name__)


class Batch:
    """What the runs of one rule's chunk collect: (run, action index, ``task_create`` keyword
    arguments, who the task is for) and (run, notice)."""

    def __init__(self, rule: Rule, chain: tuple[int, ...] = ()):
        self.rule = rule
        self.chain = (*chain, rule.pk)
        self.tasks: list[tuple[RuleRun, int, dict, Any]] = []
        self.notices: list[tuple[RuleRun, Any]] = []
        self._memo: dict[tuple, Any] = {}

    @staticmethod
    def fits(rule: Rule) -> bool:
        """Whether all the rule's actions can leave their writes to the batch."""
        return bool(rule.actions) and all(a.get("type") in BATCHED for a in rule.actions)

    def remember(self, key: tuple, load: Callable[[], Any]) -> Any:
        """``load()`` once per batch (a user or department every run of the rule names)."""
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    @contextmanager
    def collecting(self, run: RuleRun):
        """Around one run's actions: if one of them fails, the run's collected writes go."""
        try:
            yield
        except BaseException:
            self._drop({run.pk})
            raise

    def _drop(self, run_ids: set[int]) -> None:
        self.tasks = [item for item in self.tasks if item[0].pk not in run_ids]
        self.notices = [item for item in self.notices if item[0].pk not in run_ids]

    def write(self) -> None:
        """Write what the runs collected, in the caller's transaction (see the module's doc)."""
        from rapport.activities.services.tasks import tasks_build, tasks_save
        from rapport.core.notifications import notify_many

        rule, actor = self.rule, self.rule.author
        with translation.override(_language(rule)):
            if self.tasks:
                items = [item for _run, _index, item, _who in self.tasks]
                built = tasks_build(actor=actor, items=items, allow_past_due=True)
                failed: set[int] = set()
                for (run, _index, _item, _who), result in zip(self.tasks, built, strict=True):
                    if isinstance(result, Exception) and run.pk not in failed:
                        failed.add(run.pk)
                        logger.info(
                            "Automation rule %s failed on %s: %s", rule.pk, run.object_id, result
                        )
                        _finish(run, RunStatus.FAILED, error_message(result, rule), [], save=False)
                made = [
                    (run, index, task, who)
                    for (run, index, _item, who), task in zip(self.tasks, built, strict=True)
                    if run.pk not in failed
                ]
                self._drop(failed)
                # The tasks' events carry the chain of rules, as a run's own commit does.
                with chain_during_commit(self.chain):
                    tasks_save(actor=actor, tasks=[task for _r, _i, task, _w in made])
                for run, index, task, who in made:
                    run.actions_done[index] = task_outcome(task, who).as_json()
            notify_many(notice for _run, notice in self.notices)
        self.tasks, self.notices = [], []
