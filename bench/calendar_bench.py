"""Calendar and "my tasks" figures (issue 4): 100,000 open tasks and 30,000 meetings.

Fills a database of its own (never the one you work in), then times the calendar's JSON feed
(``/calendar/events/``: one query per kind, see activities/selectors/calendar.py) through the
whole Django stack for a rep's week, a colleague's week, a team's week (a head) and a month, then
the "my tasks" pages (each tab) and a head's team tasks, and the personal iCalendar feed. Prints
p50/p95/p99; fails on nothing.

    .venv/bin/python bench/calendar_bench.py --reset            # PostgreSQL rapport_bench_calendar
    .venv/bin/python bench/calendar_bench.py                    # measure again on the same data
    .venv/bin/python bench/calendar_bench.py --reset --database-url sqlite:///$PWD/bench/out/cal.sqlite3
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.work_setup import create_sales_staff, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench_calendar"
USERS, TEAMS = 60, 6
OPEN_TASKS, DONE_TASKS, MEETINGS = 100_000, 50_000, 30_000
SPREAD_DAYS = 60


def _generate(rng: random.Random) -> None:
    from django.utils import timezone

    from rapport.activities.models import Meeting, MeetingParticipant, Task

    started = time.perf_counter()
    reps = create_sales_staff(USERS, TEAMS).reps
    now = timezone.now()

    batch = []
    for i in range(OPEN_TASKS + DONE_TASKS):
        user = rng.choice(reps)
        done = i >= OPEN_TASKS
        due = now + datetime.timedelta(minutes=rng.randint(-SPREAD_DAYS * 1440, SPREAD_DAYS * 1440))
        batch.append(
            Task(
                title=f"Task {i}",
                status="done" if done else rng.choice(["open", "open", "in_progress"]),
                priority=rng.randint(1, 4),
                due_at=due,
                assignee=user,
                author=user,
                team_id=user.team_id,
            )
        )
        if len(batch) == 10_000:
            Task.objects.bulk_create(batch)
            batch = []
    Task.objects.bulk_create(batch)
    meetings = []
    for i in range(MEETINGS):
        user = rng.choice(reps)
        start = now + datetime.timedelta(
            minutes=30 * rng.randint(-SPREAD_DAYS * 48, SPREAD_DAYS * 48)
        )
        meetings.append(
            Meeting(
                title=f"Meeting {i}",
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=rng.choice([30, 60, 90])),
                organizer=user,
                team_id=user.team_id,
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=m, user=rng.choice(reps)) for m in meetings],
        batch_size=5000,
        ignore_conflicts=True,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)


def _measure(samples: int, rng: random.Random) -> None:
    from django.test import Client
    from django.utils import timezone

    from rapport.accounts.models import Team, User
    from rapport.activities.models import Meeting, Task
    from rapport.activities.selectors.calendar import local_iso
    from rapport.activities.services.calendar import calendar_feed_issue

    print(
        f"{Task.objects.exclude(status__in=['done', 'cancelled']).count():,} open tasks, "
        f"{Meeting.objects.count():,} meetings",
        flush=True,
    )
    rep = User.objects.get(username="rep0")
    colleague = User.objects.filter(team=rep.team).exclude(pk=rep.pk).first()
    head = User.objects.get(username="head")
    team = Team.objects.order_by("pk").first()
    now = timezone.now()

    def window(days: int) -> str:
        start = now + datetime.timedelta(days=rng.randint(-SPREAD_DAYS + 7, SPREAD_DAYS - 35))
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + datetime.timedelta(days=days)
        return f"start={local_iso(start)}&end={local_iso(end)}"

    def timed(label: str, client: Client, make_url) -> None:
        times, rows = [], []
        client.get(make_url())  # warm up
        for _ in range(samples):
            url = make_url()
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            rows.append(len(response.json()) if "json" in response["Content-Type"] else 0)
        times.sort()
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
        print(
            f"{label:<32} p50 {p(0.5):6.1f} ms  p95 {p(0.95):6.1f} ms  p99 {p(0.99):6.1f} ms  "
            f"max {times[-1]:6.1f} ms  events/request {statistics.mean(rows):6.0f}",
            flush=True,
        )

    rep_client, head_client = Client(), Client()
    rep_client.force_login(rep)
    head_client.force_login(head)
    timed("rep: my week", rep_client, lambda: f"/calendar/events/?{window(7)}")
    timed(
        "rep: a colleague's week",
        rep_client,
        lambda: f"/calendar/events/?{window(7)}&user={colleague.pk}",
    )
    timed(
        "head: a team's week",
        head_client,
        lambda: f"/calendar/events/?{window(7)}&team={team.pk}",
    )
    timed("rep: my month (6 weeks)", rep_client, lambda: f"/calendar/events/?{window(42)}")
    # "My tasks" and the team's tasks: whole HTML pages (tab counts, the stalled deals, page 1).
    for tab in ("today", "overdue", "week", "open"):
        timed(f"rep: my tasks, {tab}", rep_client, lambda tab=tab: f"/tasks/?tab={tab}")
    timed("head: the team's open tasks", head_client, lambda: "/tasks/team/")
    timed("head: the team's overdue tasks", head_client, lambda: "/tasks/team/?overdue=yes")
    _feed, token = calendar_feed_issue(actor=rep)
    timed("iCalendar feed (anonymous)", Client(), lambda: f"/calendar/feed/{token}.ics")


def _reminders(count: int) -> None:
    """``count`` meeting reminders come due at once: claimed in batches by one worker."""
    from django.utils import timezone

    from rapport.activities.models import Meeting
    from rapport.activities.services.meetings import claim_meeting_reminders
    from rapport.core.models import Notification

    now = timezone.now()
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[:count])
    Meeting.objects.filter(pk__in=ids).update(
        remind_at=now - datetime.timedelta(minutes=1), reminded_at=None
    )
    Notification.objects.filter(key__startswith="meeting-reminder:").delete()
    t0, claimed = time.perf_counter(), 0
    while batch := claim_meeting_reminders(now=now, batch=500):
        claimed += batch
    took = time.perf_counter() - t0
    told = Notification.objects.filter(key__startswith="meeting-reminder:").count()
    print(f"reminders: {claimed:,} meetings claimed in {took:.1f} s, {told:,} notifications")


def _task_scheduler(count: int, workers_list: list[int], emails: bool, processes: bool) -> None:
    """``count`` task reminders come due at once, then ``count`` tasks fall overdue: each timed
    with one worker and with two (threads, each with its own connection, or with ``processes``
    forked processes, which Python's global lock does not hold back; SKIP LOCKED)."""
    import multiprocessing
    import threading

    from django.db import connection, transaction
    from django.db.models import Q
    from django.utils import timezone

    from rapport.accounts.models import User
    from rapport.activities import tasks as periodic
    from rapport.activities.models import Task
    from rapport.core.models import Notification, OutboxMessage

    # The reps read the app in the four languages; with --emails they are e-mailed too.
    for i, user in enumerate(User.objects.filter(username__startswith="rep").order_by("pk")):
        user.language = ["en", "ru", "uk", "lv"][i % 4]
        user.email = f"{user.username}@example.com" if emails else ""
        user.save(update_fields=["language", "email"])
    ids = list(
        Task.objects.filter(status__in=["open", "in_progress"], assignee__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )

    def prepare_reminders(now) -> None:
        with transaction.atomic():
            Notification.objects.filter(key__startswith="task-").delete()
            OutboxMessage.objects.all().delete()
            Task.objects.filter(reminded_at__isnull=True, remind_at__isnull=False).update(
                reminded_at=now
            )
            Task.objects.filter(pk__in=ids).update(
                remind_at=now - datetime.timedelta(minutes=1),
                reminded_at=None,
                due_at=now + datetime.timedelta(hours=2),
            )

    def prepare_overdue(now) -> None:
        window = Q(due_at__lt=now, due_at__gte=now - periodic.OVERDUE_LOOKBACK)
        with transaction.atomic():
            Notification.objects.filter(key__startswith="task-").delete()
            OutboxMessage.objects.all().delete()
            # Only the chosen tasks fall overdue in the look-back window.
            Task.objects.filter(window).exclude(pk__in=ids).update(
                due_at=now - datetime.timedelta(days=3)
            )
            Task.objects.filter(pk__in=ids).update(due_at=now - datetime.timedelta(hours=1))

    def run(label: str, workers: int, prepare, work_one) -> None:
        now = timezone.now()
        prepare(now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE activities_task")
            cursor.execute("ANALYZE core_notification")
        connection.close()
        done = multiprocessing.get_context("fork").Array("i", workers)

        def work(n: int) -> None:
            try:
                done[n] = work_one(now)
            finally:
                connection.close()

        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        if processes:
            fork = multiprocessing.get_context("fork")
            started = [fork.Process(target=work, args=(n,)) for n in range(workers)]
        else:
            started = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for worker in started:
            worker.start()
        for worker in started:
            worker.join()
        took = time.perf_counter() - t0
        done = list(done)
        told = Notification.objects.filter(key__startswith="task-").count()
        users = Notification.objects.filter(key__startswith="task-").values("user", "key")
        distinct = users.distinct().count()
        mails = OutboxMessage.objects.count()
        print(
            f"{label}, {workers} worker(s) ({'processes' if processes else 'threads'}): "
            f"{sum(done):,} items in {took:.1f} s "
            f"({told:,} notifications, {distinct:,} distinct, {mails:,} e-mails); "
            f"per worker {done}; load {load:.1f} -> {os.getloadavg()[0]:.1f}",
            flush=True,
        )

    def reminders(now) -> int:
        return periodic.remind_due_tasks(now=now, budget=3600)

    def overdue(now) -> int:
        return periodic.prompt_overdue_tasks(now=now, budget=3600)

    for workers in workers_list:
        run("task reminders", workers, prepare_reminders, reminders)
    for workers in workers_list:
        run("overdue prompts", workers, prepare_overdue, overdue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reset", action="store_true", help="recreate and fill the database")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--reminders", type=int, default=0, help="also time N due reminders")
    parser.add_argument(
        "--task-reminders",
        type=int,
        default=0,
        help="also time N due task reminders and N overdue prompts (1 and 2 workers)",
    )
    parser.add_argument("--workers", default="1,2", help="worker counts for --task-reminders")
    parser.add_argument("--emails", action="store_true", help="the reps get e-mail addresses")
    parser.add_argument(
        "--processes", action="store_true", help="workers are processes, not threads"
    )
    parser.add_argument("--skip-pages", action="store_true", help="do not time the pages")
    args = parser.parse_args()
    setup_django(args.database_url, reset=args.reset, data_dir="calendar-data")
    rng = random.Random(4)
    if args.reset:
        _generate(rng)
    print(f"database: {args.database_url}")
    if not args.skip_pages:
        _measure(args.samples, rng)
    if args.reminders:
        _reminders(args.reminders)
    if args.task_reminders:
        _task_scheduler(
            args.task_reminders,
            [int(w) for w in args.workers.split(",")],
            args.emails,
            args.processes,
        )


if __name__ == "__main__":
    main()
