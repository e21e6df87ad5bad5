"""The scheduler: enqueue the declared periodic tasks (``core/schedule.py``) when they are due."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from rapport.core import schedule


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (the reaper, daily housekeeping) when due, checking at least "
        "every --interval seconds; --once enqueues every periodic task once and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, **options):
        entries = schedule.discover()
        due: dict = {}  # empty: everything is due at start
        while True:
            now = timezone.now()
            for name in schedule.enqueue_due(entries, due, now):
                if options["verbosity"] > 1:
                    self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            wait = (
                (min(due.values()) - timezone.now()).total_seconds() if due else options["interval"]
            )
            time.sleep(min(max(wait, 1), max(options["interval"], 1)))
