#!/usr/bin/env python
"""Date rules at volume: 10,000 due items run by 1 and by 2 task workers, none twice.

    .venv/bin/python bench/automation_bench.py                 # PostgreSQL rapport_bench_auto
    .venv/bin/python bench/automation_bench.py --items 2000 --workers 1,2,4
    .venv/bin/python bench/automation_bench.py --reset         # drop and rebuild the database

The database (``--database-url``, by default postgres://postgres@127.0.0.1:5432/rapport_bench_auto,
created and migrated when missing) gets 10 reps and ``--items`` people whose birthday is in two
days, as many whose birthday is not near, and date rules "3 days before a contact's birthday":
one notifies the owner (``--actions notify``, like the demo's invoice rule), one creates a task
for the owner and notifies them (``task+notify``). For each rule and worker count only that rule
is active, the queue is emptied and the previous round's runs, tasks and notifications removed;
then, timed:

1. the periodic scan (``automation.tasks.scan_date_rules``, in this process): it reads the due
   people, writes one pending run per person and enqueues the run-the-queue tasks;
2. N ``manage.py db_worker --batch`` processes, started together, each claiming batches of runs
   (``SELECT ... FOR UPDATE SKIP LOCKED``) until the queue is empty and then exiting.

Afterwards it checks that every due person has exactly one run (done), one notification and (with
tasks) one task, and prints the figures: wall time, the workers' CPU time (user + system, of the
worker processes only: the database's own work is not in it) and the machine's load average,
since a busy shared machine stretches the wall time. A figure, not a test: nothing fails on time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench_auto"
RULE_NAME = "Bench: birthday in 3 days"
TITLE = "Bench: congratulate "
REPS = 10
TASK = {
    "type": "create_task",
    "title": TITLE + "{{ first_name }}",
    "assignee": "owner",
    "due_in_days": 2,
}
NOTIFY = {
    "type": "notify",
    "recipient": "owner",
    "title": "Birthday of {{ first_name }} {{ last_name }} on {{ birthday }}",
}
# What the rule does: a notification (as the demo's invoice rule), or a task and a notification
# (the demo's birthday rule does the task).
VARIANTS = {"notify": [NOTIFY], "task+notify": [TASK, NOTIFY]}

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def prepare_database(url: str, reset: bool) -> None:
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
    )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()


def ensure_data(items: int):
    """The reps, the people (due and not) and the rule; made once, kept between runs."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from rapport.accounts.choices import DepartmentKind, Role
    from rapport.accounts.models import Department, Team, User
    from rapport.accounts.services import user_create
    from rapport.automation.models import Rule
    from rapport.automation.services import rule_save
    from rapport.contacts.models import Person

    admin = User.objects.filter(username="bench.admin").first()
    if admin is None:
        department = Department.objects.create(name="Bench sales", kind=DepartmentKind.SALES)
        team = Team.objects.create(name="Bench team", department=department)
        admin = user_create(
            actor=None,
            username="bench.admin",
            password="bench-password-2026",
            role=Role.ADMINISTRATOR,
            email="bench.admin@example.com",
        )
        for i in range(REPS):
            user_create(
                actor=admin,
                username=f"bench.rep{i}",
                password="bench-password-2026",
                role=Role.SALES_REP,
                team=team,
                department=department,
            )
    reps = list(User.objects.filter(username__startswith="bench.rep").order_by("pk"))
    today = timezone.localdate()
    due = today + datetime.timedelta(days=2)
    far = today + datetime.timedelta(days=40)
    have = Person.objects.filter(last_name__startswith="Bench").count()
    wanted = 2 * items
    if have < wanted:
        rows = []
        for i in range(have, wanted):
            day = due if i % 2 == 0 else far
            born = (
                day.replace(year=1970 + i % 40) if not (day.month == 2 and day.day == 29) else day
            )
            owner = reps[i % len(reps)]
            rows.append(
                Person(
                    first_name=f"P{i}",
                    last_name=f"Bench{i:06d}",
                    birthday=born,
                    birthday_md=born.month * 100 + born.day,
                    owner=owner,
                    team_id=owner.team_id,
                )
            )
        Person.objects.bulk_create(rows, batch_size=2000)
    rules = {}
    for variant, actions in VARIANTS.items():
        name = f"{RULE_NAME} ({variant})"
        rule = Rule.objects.filter(name=name).first()
        if rule is None:
            rule = rule_save(
                actor=admin,
                rule=Rule(
                    name=name,
                    content_type=ContentType.objects.get_for_model(Person),
                    trigger="date_approaching",
                    trigger_field="birthday",
                    days_before=3,
                    actions=actions,
                ),
            )[0]
        rules[variant] = rule
    due_count = Person.objects.filter(
        last_name__startswith="Bench", birthday_md=due.month * 100 + due.day
    ).count()
    return rules, due_count


def clear_round(rule) -> None:
    """Forget the previous round: its runs, tasks, notifications, change records and queue."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from rapport.activities.models import Task
    from rapport.automation.models import RuleRun
    from rapport.core.models import ChangeRecord, Notification

    task_type = ContentType.objects.get_for_model(Task)
    ChangeRecord.objects.filter(content_type=task_type).delete()
    Task.objects.filter(title__startswith=TITLE).delete()
    Notification.objects.filter(key__startswith="automation:").delete()
    RuleRun.objects.all().delete()
    DBTaskResult.objects.all().delete()
    type(rule).objects.update(is_active=False)
    type(rule).objects.filter(pk=rule.pk).update(
        is_active=True, runs_count=0, failures_count=0, last_run_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE automation_rulerun")
        cursor.execute("VACUUM ANALYZE activities_task")
        cursor.execute("VACUUM ANALYZE core_notification")


def run_round(rule, workers: int, url: str, due_count: int) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from rapport.activities.models import Task
    from rapport.automation import tasks
    from rapport.automation.choices import RunStatus
    from rapport.automation.models import RuleRun
    from rapport.core.models import Notification

    clear_round(rule)
    connection.close()
    started = time.perf_counter()
    outcome = tasks.scan_date_rules.call()
    scanned = time.perf_counter()
    connection.close()
    env = {**os.environ, "DATABASE_URL": url, "RAPPORT_LOG_LEVEL": "ERROR"}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--verbosity",
        "0",
    ]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = [
        subprocess.Popen(
            [*command, "--worker-id", f"bench-{n}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(workers)
    ]
    errors = []
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode:
            errors.append(err.decode()[-2000:])
    finished = time.perf_counter()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    runs = RuleRun.objects.filter(rule=rule)
    by_worker = list(
        DBTaskResult.objects.filter(
            task_path__endswith="run_date_queue", status="SUCCESSFUL"
        ).values_list("worker_ids", "return_value")
    )
    doubles_tasks = (
        Task.objects.filter(title__startswith=TITLE)
        .values("object_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "workers": workers,
        "queued": outcome["queued"],
        "scan_s": scanned - started,
        "work_s": finished - scanned,
        "total_s": finished - started,
        "worker_cpu_s": worker_cpu,
        "runs": runs.count(),
        "done": runs.filter(status=RunStatus.DONE).count(),
        "failed": runs.filter(status=RunStatus.FAILED).count(),
        "distinct_records": runs.values("object_id").distinct().count(),
        "tasks": Task.objects.filter(title__startswith=TITLE).count(),
        "records_with_two_tasks": doubles_tasks,
        "notifications": Notification.objects.filter(key__startswith="automation:").count(),
        "done_by_worker": _by_worker(by_worker),
        "due": due_count,
        "errors": errors,
    }


def _by_worker(rows) -> dict[str, int]:
    found: dict[str, int] = {}
    for worker_ids, value in rows:
        worker = (worker_ids or ["?"])[-1]
        found[worker] = found.get(worker, 0) + int((value or {}).get("done", 0))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--actions", default="notify,task+notify", help="rule variants to run")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL (several worker processes at once).")
    prepare_database(args.database_url, args.reset)
    setup_django(args.database_url)
    from django.db import connection

    rules, due_count = ensure_data(args.items)
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}, "
        f"{args.database_url.rpartition('/')[2]}: {due_count} people due, "
        f"{due_count} more not due; load average before: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    header = (
        f"{'actions':>12} {'workers':>7} {'queued':>7} {'scan s':>7} {'work s':>7} "
        f"{'total s':>8} {'items/s':>8} {'cpu s':>7} {'runs':>6} {'tasks':>6} {'notes':>6} "
        f"{'twice':>6}  by worker"
    )
    print(header)
    for variant in args.actions.split(","):
        rule = rules[variant]
        for workers in [int(w) for w in args.workers.split(",")]:
            r = run_round(rule, workers, args.database_url, due_count)
            rate = r["done"] / r["total_s"] if r["total_s"] else 0
            twice = (r["runs"] - r["distinct_records"]) + r["records_with_two_tasks"]
            print(
                f"{variant:>12} {r['workers']:>7} {r['queued']:>7} {r['scan_s']:>7.2f} "
                f"{r['work_s']:>7.2f} {r['total_s']:>8.2f} {rate:>8.0f} "
                f"{r['worker_cpu_s']:>7.1f} {r['runs']:>6} {r['tasks']:>6} "
                f"{r['notifications']:>6} {twice:>6}  {r['done_by_worker']}  "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            expected_tasks = r["due"] if "task" in variant else 0
            ok = (
                r["done"] == r["due"] == r["notifications"] == r["distinct_records"]
                and r["tasks"] == expected_tasks
                and not twice
                and not r["failed"]
            )
            if not ok or r["errors"]:
                print(f"  CHECK FAILED: {r}")


if __name__ == "__main__":
    main()
