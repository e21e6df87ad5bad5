"""Set-up shared by the benchmarks of time and work (calendar_bench.py, processes_bench.py): a
database of their own (dropped and created again with ``--reset``), Django on it, and a sales
department of reps in teams with its head (and a director)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    """An empty database at ``url`` (SQLite: the file removed; PostgreSQL: dropped, created)."""
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, *, reset: bool, data_dir: str) -> None:
    """Django on ``url`` (files under bench/out/``data_dir``); with ``reset``, on a new, migrated
    database."""
    if reset:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("RAPPORT_DATA_DIR", str(ROOT / "bench" / "out" / data_dir))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    if reset:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)


@dataclass
class SalesStaff:
    department: Any
    teams: list
    reps: list  # rep0, rep1...: sales reps spread over the teams
    head: Any  # "head", head of the department
    director: Any | None  # "director", when asked for


def create_sales_staff(reps: int, teams: int, *, director: bool = False) -> SalesStaff:
    """A sales department of ``teams`` teams and ``reps`` reps (round robin), with its head."""
    from rapport.accounts.choices import DepartmentKind, Role
    from rapport.accounts.models import Department, Team, User

    sales = Department.objects.create(name="Sales", kind=DepartmentKind.SALES)
    made_teams = [Team.objects.create(name=f"Team {i}", department=sales) for i in range(teams)]
    users = [
        User(
            username=f"rep{i}",
            first_name=f"Rep{i}",
            last_name="Bench",
            role=Role.SALES_REP,
            team=made_teams[i % teams],
            department=sales,
            password="!",
        )
        for i in range(reps)
    ]
    users.append(User(username="head", role=Role.HEAD, department=sales, password="!"))
    if director:
        users.append(User(username="director", role=Role.DIRECTOR, password="!"))
    users = User.objects.bulk_create(users)
    return SalesStaff(
        department=sales,
        teams=made_teams,
        reps=users[:reps],
        head=users[reps],
        director=users[reps + 1] if director else None,
    )
