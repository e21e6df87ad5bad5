"""Run the embedded CRM: web server, one task worker and the scheduler, as child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Rapport with a task worker and the scheduler (stop with Ctrl+C)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("RAPPORT_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, **options):
        manage = [sys.executable, str(settings.PROJECT_DIR / "manage.py")]
        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "rapport.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["web_workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            "worker": [*manage, "db_worker", "--no-reload", "--interval", "1"],
            "scheduler": [*manage, "rapport_scheduler"],
        }
        env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR.parent)}
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        started = {name: time.monotonic() for name in children}
        self.stdout.write(
            self.style.SUCCESS(
                f"Rapport is running at http://{options['bind']}/ (web, worker, scheduler). "
                "Press Ctrl+C to stop."
            )
        )
        stopping = failed = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in list(children.items()):
                    if child.poll() is None:
                        continue
                    if time.monotonic() - started[name] < 10:
                        # Dying at once is a configuration problem (the port is taken, say),
                        # not a crash worth retrying forever.
                        self.stderr.write(
                            f"{name} stopped right after starting (exit {child.returncode}); "
                            f"is {options['bind']} already in use? Stopping."
                        )
                        stopping = failed = True
                        break
                    self.stderr.write(f"{name} exited with {child.returncode}; restarting it")
                    children[name] = subprocess.Popen(commands[name], env=env)
                    started[name] = time.monotonic()
                time.sleep(1)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        if failed:
            raise CommandError("Rapport could not start; see the messages above.")
