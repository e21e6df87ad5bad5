"""Process figures (issue 4): the dashboard and the API with 10,000 running processes, and the
overdue scheduler telling controllers about 10,000 overdue stages with one and two workers.

Fills a database of its own (never the one you work in), then times the process dashboard, its
filters and the API list through the whole Django stack, the analytics page, and the periodic
``notify_overdue_stages`` work (claimed with SKIP LOCKED). Prints p50/p95/p99; fails on nothing.

    .venv/bin/python bench/processes_bench.py --reset      # PostgreSQL rapport_bench_processes
    .venv/bin/python bench/processes_bench.py              # measure again on the same data
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.work_setup import create_sales_staff, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench_processes"
USERS, TEAMS, COMPANIES = 60, 6, 2_000
RUNNING, FINISHED = 10_000, 5_000
STAGES = ["Qualification", "Needs analysis", "Proposal", "Approval", "Contract"]


def _generate(rng: random.Random) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from rapport.contacts.models import Company
    from rapport.processes.models import (
        ProcessInstance,
        ProcessStage,
        ProcessStageTemplate,
        ProcessTemplate,
    )
    from rapport.sales.models import Deal, Pipeline, Stage

    started = time.perf_counter()
    staff = create_sales_staff(USERS, TEAMS, director=True)
    reps, head = staff.reps, staff.head
    companies = Company.objects.bulk_create(
        [
            Company(
                name=f"Company {i}",
                kind="customer",
                owner=(rep := rng.choice(reps)),
                team_id=rep.team_id,
            )
            for i in range(COMPANIES)
        ],
        batch_size=2000,
    )
    pipeline = Pipeline.objects.create(name="Bench")
    stage = Stage.objects.create(pipeline=pipeline, name="Open", position=0)
    template = ProcessTemplate.objects.create(
        name="Typical sales model", record_type="sales.deal", controller=head
    )
    steps = ProcessStageTemplate.objects.bulk_create(
        [
            ProcessStageTemplate(template=template, position=i, name=n, executor_role="sales_rep")
            for i, n in enumerate(STAGES)
        ]
    )
    deal_type = ContentType.objects.get_for_model(Deal)
    now = timezone.now()
    deals, instances = [], []
    for i in range(RUNNING + FINISHED):
        company = rng.choice(companies)
        deals.append(
            Deal(
                name=f"Deal {i}",
                pipeline=pipeline,
                stage=stage,
                company=company,
                owner=company.owner,
                team_id=company.team_id,
            )
        )
    deals = Deal.objects.bulk_create(deals, batch_size=5000)
    for i, deal in enumerate(deals):
        running = i < RUNNING
        start = now - datetime.timedelta(hours=rng.randint(0, 24 * 40))
        instances.append(
            ProcessInstance(
                template=template,
                name=template.name,
                content_type=deal_type,
                object_id=deal.pk,
                company_id=deal.company_id,
                controller=rng.choice([head, deal.owner]),
                started_by=deal.owner,
                started_at=start,
                status="running" if running else "completed",
                finished_at=None if running else start + datetime.timedelta(days=15),
            )
        )
    instances = ProcessInstance.objects.bulk_create(instances, batch_size=5000)
    stages, active = [], {}
    for instance, deal in zip(instances, deals, strict=True):
        current = rng.randint(0, len(STAGES) - 1) if instance.status == "running" else None
        cursor = instance.started_at
        for position, step in enumerate(steps):
            end = cursor + datetime.timedelta(days=rng.randint(1, 4))
            if current is None or position < current:
                status, started_at, finished_at = (
                    "done",
                    cursor,
                    end + datetime.timedelta(hours=rng.randint(-20, 30)),
                )
            elif position == current:
                status, started_at, finished_at = "active", cursor, None
            else:
                status, started_at, finished_at = "pending", None, None
            stages.append(
                ProcessStage(
                    instance=instance,
                    template_stage=step,
                    position=position,
                    name=step.name,
                    executor_role="sales_rep",
                    executor_user_id=deal.owner_id,
                    planned_start=cursor,
                    planned_end=end,
                    status=status,
                    started_at=started_at,
                    finished_at=finished_at,
                    # Told already: the scheduler's figures set up their own overdue stages.
                    overdue_notified_at=now if status == "active" else None,
                )
            )
            cursor = end
    stages = ProcessStage.objects.bulk_create(stages, batch_size=5000)
    for stage in stages:
        if stage.status == "active":
            active[stage.instance_id] = stage
    for instance in instances:
        stage = active.get(instance.pk)
        if stage is not None:
            instance.current_stage_id, instance.current_due = stage.pk, stage.planned_end
    ProcessInstance.objects.bulk_update(
        instances, ["current_stage", "current_due"], batch_size=5000
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)


def _timed(label: str, client, make_url, samples: int) -> None:
    times = []
    client.get(make_url())  # warm up
    for _ in range(samples):
        url = make_url()
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(
        f"{label:<40} p50 {p(0.5):6.1f} ms  p95 {p(0.95):6.1f} ms  p99 {p(0.99):6.1f} ms  "
        f"max {times[-1]:6.1f} ms",
        flush=True,
    )


def _measure(samples: int, rng: random.Random) -> None:
    from django.test import Client

    from rapport.core.startup import settle

    settle()  # as the WSGI entry point does before serving
    from rapport.accounts.models import User
    from rapport.processes.models import ProcessInstance, ProcessTemplate

    print(f"{ProcessInstance.objects.filter(status='running').count():,} running processes")
    head = User.objects.get(username="head")
    director = User.objects.get(username="director")
    rep = User.objects.get(username="rep0")
    template = ProcessTemplate.objects.get()
    clients = {}
    for user in (head, director, rep):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    pages = lambda: rng.randint(1, 20)  # noqa: E731
    _timed(
        "director: dashboard, overdue first",
        clients["director"],
        lambda: f"/processes/?page={pages()}",
        samples,
    )
    _timed(
        "head: dashboard (department)",
        clients["head"],
        lambda: f"/processes/?page={pages()}",
        samples,
    )
    _timed(
        "head: dashboard, overdue only",
        clients["head"],
        lambda: "/processes/?overdue=true",
        samples,
    )
    _timed(
        "head: dashboard, one executor",
        clients["head"],
        lambda: f"/processes/?executor={rng.randint(rep.pk, rep.pk + 59)}",
        samples,
    )
    _timed("rep: dashboard (own customers)", clients["rep0"], lambda: "/processes/", samples)
    _timed(
        "director: API list (50)",
        clients["director"],
        lambda: f"/api/v1/processes/?offset={50 * rng.randint(0, 20)}",
        samples,
    )
    _timed(
        "director: analytics (15,000 processes)",
        clients["director"],
        lambda: f"/processes/analytics/?template={template.pk}",
        max(10, samples // 10),
    )


def _scheduler(overdue: int) -> None:
    """Make ``overdue`` active stages overdue and untold, and time one worker, then two."""
    from django.db import connection, transaction
    from django.utils import timezone

    from rapport.core.models import Notification
    from rapport.processes.models import ProcessStage
    from rapport.processes.services.deviations import claim_overdue_stages

    def prepare() -> list[int]:
        ids = list(
            ProcessStage.objects.filter(status="active", instance__status="running")
            .order_by("pk")
            .values_list("pk", flat=True)[:overdue]
        )
        now = timezone.now()
        with transaction.atomic():
            Notification.objects.filter(key__startswith="process.overdue.").delete()
            ProcessStage.objects.filter(pk__in=ids).update(
                overdue_notified_at=None,
                planned_start=now - datetime.timedelta(days=2),
                planned_end=now - datetime.timedelta(hours=1),
            )
        return ids

    for workers in (1, 2):
        ids = prepare()
        claimed: list[list[int]] = [[] for _ in range(workers)]

        def work(n: int, claimed=claimed) -> None:
            while batch := claim_overdue_stages(batch_size=200):
                claimed[n].extend(batch)
            connection.close()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - t0
        every = [pk for part in claimed for pk in part]
        told = Notification.objects.filter(key__startswith="process.overdue.").count()
        print(
            f"overdue scheduler, {workers} worker(s): {len(every):,} stages "
            f"({len(set(every)):,} distinct, {told:,} notifications) in {took:.1f} s; "
            f"per worker {[len(part) for part in claimed]}",
            flush=True,
        )
        assert len(every) == len(set(every)) == len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reset", action="store_true", help="recreate and fill the database")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--overdue", type=int, default=10_000)
    args = parser.parse_args()
    setup_django(args.database_url, reset=args.reset, data_dir="processes-data")
    rng = random.Random(7)
    if args.reset:
        _generate(rng)
    print(f"database: {args.database_url}")
    _measure(args.samples, rng)
    _scheduler(args.overdue)


if __name__ == "__main__":
    main()
