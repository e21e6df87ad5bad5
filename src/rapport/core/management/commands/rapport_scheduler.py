"""Periodic housekeeping: reap jobs and tasks whose worker died (lease expired)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from rapport.core.jobs import reap_expired_task


class Command(BaseCommand):
    help = "Enqueue periodic tasks (the reaper) every --interval seconds; --once for one round."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, **options):
        while True:
            reap_expired_task.enqueue()
            if options["once"]:
                return
            time.sleep(options["interval"])
