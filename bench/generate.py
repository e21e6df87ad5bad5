#!/usr/bin/env python
"""Fill a separate benchmark database with a realistic customer base.

    .venv/bin/python bench/generate.py                      # SQLite file bench/out/bench.sqlite3
    .venv/bin/python bench/generate.py --postgres           # postgres://…@127.0.0.1:5432/rapport_bench
    .venv/bin/python bench/generate.py --scale 0.1   # 20k companies, 100k people, 500k entries
    .venv/bin/python bench/generate.py --postgres --sales   # and the sales (generate_sales.py)

At scale 1: 200,000 companies, 1,000,000 people (with e-mails, phones and roles at companies) and
5,000,000 timeline activities, plus one "created" change record per company and person, users in
three sales departments of four teams each. Rows are written in bulk (COPY on PostgreSQL,
executemany on SQLite) with the secondary indexes dropped and rebuilt afterwards; the derived
columns (name_key, name_prefix, search_text, birthday_md) come from the same functions the services
call, so the data is what the application would have written. The database is migrated first and
must be empty (``--reset`` drops and recreates it).

A few records are planted for the card benchmark: a company with a long history and one of its
people with a long history of their own, and a person with a short history, all curated by the
benchmark rep. Their ids and the benchmark accounts are stored in the table ``bench_meta``.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from array import array
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'bench.sqlite3'}"
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench"
BENCH_PASSWORD = "bench-password-2026"

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import datagen  # noqa: E402

BIG_TABLES = (
    "contacts_company",
    "contacts_companyaddress",
    "contacts_company_tags",
    "contacts_person",
    "contacts_personemail",
    "contacts_personphone",
    "contacts_employment",
    "contacts_person_tags",
    "activities_activity",
    "core_changerecord",
)

# Planted records (history lengths at every scale, so cards compare across scales).
MANY_COMPANY_ACTIVITIES = 20_000
MANY_COMPANY_PEOPLE = 200
MANY_PERSON_ACTIVITIES = 5_000
FEW_PERSON_ACTIVITIES = 3
EPOCH_END = 1_795_000_000  # 2026-11-18, a little before "now" on the benchmark machine
FIVE_YEARS = 5 * 365 * 86400
VERIFIED = {"verified_at": "2026-01-01T10:00:00+00:00"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else Path(url[9:])


def prepare_database(url: str, reset: bool) -> None:
    if is_sqlite(url):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        if reset:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    # Transliteration is a pure function and names repeat: remember recent results (same output,
    # a third of the generator's time).
    from rapport.contacts import normalize
    from rapport.core import text

    cached = functools.lru_cache(maxsize=300_000)(text.translit)
    text.translit = normalize.translit = cached


# Writers -----------------------------------------------------------------------------------------
class SqliteWriter:
    def __init__(self, url: str, tables=BIG_TABLES, fts=("contacts_company", "contacts_person")):
        self.tables = tuple(tables)
        self.fts = tuple(fts)
        self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "cache_size=-1000000",
            "temp_store=MEMORY",
            "foreign_keys=OFF",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.saved: list[str] = []

    def begin(self) -> None:
        marks = ",".join("?" * len(self.tables))
        rows = self.conn.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            self.tables,
        ).fetchall()
        self.saved = [sql for _t, _n, sql in rows]
        for kind, name, _sql in rows:
            self.conn.execute(f'DROP {kind.upper()} "{name}"')
        self.conn.execute("BEGIN")

    def copy(self, table: str, columns: tuple[str, ...], rows) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        count = 0
        for batch in _batches(rows, 50_000):
            self.conn.executemany(sql, batch)
            count += len(batch)
        return count

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        log("rebuilding SQLite indexes, triggers and the FTS5 tables")
        for sql in self.saved:
            self.conn.execute(sql)
        for table in self.fts:
            fts = f"{table}_fts"
            self.conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        log("ANALYZE")
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class PostgresWriter:
    def __init__(self, url: str, tables=BIG_TABLES, fts=()):
        import psycopg

        self.tables = tuple(tables)
        self.conn = psycopg.connect(url)
        self.saved: list[str] = []

    def begin(self) -> None:
        cur = self.conn.cursor()
        cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(self.tables),),
        )
        rows = cur.fetchall()
        self.saved = [sql for _n, sql in rows]
        for name, _sql in rows:
            cur.execute(f'DROP INDEX "{name}"')

    def copy(self, table: str, columns: tuple[str, ...], rows) -> int:
        count = 0
        with self.conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def finish(self) -> None:
        cur = self.conn.cursor()
        for table in self.tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        self.conn.commit()
        log("rebuilding PostgreSQL indexes")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        for sql in self.saved:
            cur.execute(sql)
            self.conn.commit()
        self.conn.autocommit = True
        log("VACUUM ANALYZE")
        for table in self.tables:
            cur.execute(f"VACUUM ANALYZE {table}")
        self.conn.close()


def _batches(rows, size):
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# Time helpers ------------------------------------------------------------------------------------
class Clock:
    """Timestamps as the database stores them (SQLite: naive UTC text; PostgreSQL: +00)."""

    def __init__(self, sqlite: bool):
        self.suffix = "" if sqlite else "+00"

    def ts(self, seconds: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + self.suffix


def weighted_picker(rng: random.Random, weights: list[float]):
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    n = len(cumulative) - 1

    def pick() -> int:
        return min(bisect.bisect(cumulative, rng.random() * total), n)

    return pick


# Generation --------------------------------------------------------------------------------------
def create_organisation():
    from django.contrib.auth.hashers import make_password

    from rapport.accounts.choices import DepartmentKind, Role
    from rapport.accounts.models import Branch, Department, Team, Territory, User
    from rapport.core.models import SiteConfiguration, Tag

    SiteConfiguration.objects.get_or_create(pk=1)
    password = make_password(BENCH_PASSWORD)
    branches = {
        lang: Branch.objects.create(name=f"{city} office", city=city)
        for lang, city in (("lv", "Riga"), ("uk", "Kyiv"), ("ru", "Moscow"), ("en", "London"))
    }
    territories = {
        lang: Territory.objects.create(name=name)
        for lang, name in (("lv", "Baltics"), ("uk", "Ukraine"), ("ru", "CIS"), ("en", "UK"))
    }
    management = Department.objects.create(name="Management", kind=DepartmentKind.MANAGEMENT)
    rng = random.Random(7)
    users: list = []
    reps: list = []
    for dept_name in ("Sales Baltics", "Sales East", "Sales International"):
        dept = Department.objects.create(name=dept_name, kind=DepartmentKind.SALES)
        users.append(
            User(
                username="bench.head" if dept_name == "Sales Baltics" else f"head.{dept.pk}",
                first_name="Head",
                last_name=dept_name,
                role=Role.HEAD,
                department=dept,
                password=password,
            )
        )
        for t in range(1, 5):
            team = Team.objects.create(name=f"{dept_name} {t}", department=dept)
            for r in range(12):
                lang = datagen.pick_lang(rng)
                first, _middle, last = datagen.person_name(rng, lang)
                username = "bench.rep" if not reps else f"rep{len(reps):03d}"
                rep = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.com",
                    role=Role.SALES_REP,
                    department=dept,
                    team=team,
                    language="" if r % 3 else lang,
                    password=password,
                )
                users.append(rep)
                reps.append(rep)
    for username, role in (
        ("bench.director", Role.DIRECTOR),
        ("bench.admin", Role.ADMINISTRATOR),
        ("bench.auditor", Role.AUDITOR),
    ):
        users.append(
            User(
                username=username,
                first_name=username.split(".")[1].title(),
                last_name="Bench",
                role=role,
                department=management,
                password=password,
            )
        )
    User.objects.bulk_create(users)
    reps = list(User.objects.filter(role=Role.SALES_REP).order_by("pk"))
    tags = [Tag.objects.get_or_create(name=n)[0] for n in ("VIP", "key account", "tender", "new")]
    return reps, branches, territories, tags


def generate(make_writer, clock: Clock, scale: float, seed: int) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from rapport.contacts.models import Company, Person
    from rapport.contacts.services.companies import _normalize as normalize_company
    from rapport.contacts.services.people import _prepare as prepare_person
    from rapport.core.errors import ValidationError

    rng = random.Random(seed)
    n_companies = max(1000, int(200_000 * scale))
    n_people = max(5000, int(1_000_000 * scale))
    n_activities = max(20_000, int(5_000_000 * scale))

    reps, branches, territories, tags = create_organisation()
    rep_ids = [u.pk for u in reps]
    rep_team = {u.pk: u.team_id for u in reps}
    team_reps: dict[int, list[int]] = {}
    for u in reps:
        team_reps.setdefault(u.team_id, []).append(u.pk)
    bench_rep = reps[0].pk
    ct_company = ContentType.objects.get_for_model(Company).pk
    ct_person = ContentType.objects.get_for_model(Person).pk
    from django.db import connection

    connection.close()
    writer = make_writer()
    writer.begin()

    # Plan: companies, their people, the activities (kept as compact arrays).
    log(f"planning {n_companies:,} companies, {n_people:,} people, {n_activities:,} activities")
    many_company = n_companies // 2
    few_company = n_companies // 3
    company_lang = [datagen.pick_lang(rng) for _ in range(n_companies)]
    company_curator = array("l", (rng.choice(rep_ids) for _ in range(n_companies)))
    for planted in (many_company, few_company):
        company_curator[planted] = bench_rep
    company_weights = [rng.lognormvariate(0, 1.0) for _ in range(n_companies)]
    company_weights[many_company] = company_weights[few_company] = 0.0
    pick_company = weighted_picker(rng, company_weights)

    person_company = array("l", (pick_company() for _ in range(n_people)))
    many_person = 10
    few_person = 11
    for i in range(MANY_COMPANY_PEOPLE):
        person_company[12 + i] = many_company
    person_company[many_person] = many_company
    person_company[few_person] = few_company
    person_weights = [rng.lognormvariate(0, 1.3) for _ in range(n_people)]
    person_weights[many_person] = person_weights[few_person] = 0.0
    pick_person = weighted_picker(rng, person_weights)

    now = EPOCH_END
    act_company = array("l")
    act_person = array("l")
    act_time = array("l")

    def plan(company: int, person: int) -> None:
        act_company.append(company)
        act_person.append(person)
        act_time.append(now - rng.randrange(FIVE_YEARS))

    planted_total = MANY_COMPANY_ACTIVITIES + MANY_PERSON_ACTIVITIES + FEW_PERSON_ACTIVITIES
    for _ in range(max(0, n_activities - planted_total)):
        if rng.random() < 0.8:
            p = pick_person()
            plan(person_company[p], p)
        else:
            plan(pick_company(), -1)
    for i in range(MANY_COMPANY_ACTIVITIES):
        plan(many_company, 12 + (i % MANY_COMPANY_PEOPLE) if i % 2 else -1)
    for _ in range(MANY_PERSON_ACTIVITIES):
        plan(many_company, many_person)
    for _ in range(FEW_PERSON_ACTIVITIES):
        plan(few_company, few_person)
    last_company = array("l", [0]) * n_companies
    last_person = array("l", [0]) * n_people
    for c, p, t in zip(act_company, act_person, act_time, strict=True):
        if c >= 0 and t > last_company[c]:
            last_company[c] = t
        if p >= 0 and t > last_person[p]:
            last_person[p] = t

    # Companies.
    log("writing companies")
    company_domain: list[str] = []
    company_name: list[str] = []
    company_created = array("l")
    changes: list[tuple] = []

    def company_rows():
        kinds = ["customer"] * 5 + ["prospect"] * 3 + ["partner", "supplier", "competitor"]
        industries = [
            "manufacturing", "retail", "wholesale", "it", "finance", "construction", "logistics",
            "healthcare", "education", "agriculture", "energy", "hospitality", "services", "",
        ]  # fmt: skip
        sizes = ["1-9", "10-49", "50-249", "250-999", "1000+", ""]
        for i in range(n_companies):
            lang = company_lang[i]
            name, word = datagen.company_name(rng, lang)
            domain = f"{datagen.slug(word) or 'company'}{i % 97}.{datagen.TLD[lang]}"
            c = SimpleNamespace(
                name=name,
                legal_name=name if rng.random() < 0.3 else "",
                tax_number=datagen.tax_number(rng, lang) if rng.random() < 0.6 else "",
                registry_number="",
                source_detail="",
                phone=datagen.landline(rng, lang) if rng.random() < 0.8 else "",
                email=f"info@{domain}" if rng.random() < 0.7 else "",
            )
            try:
                normalize_company(c)
            except ValidationError:
                c.phone = ""
                normalize_company(c)
            created = now - FIVE_YEARS - rng.randrange(FIVE_YEARS // 5)
            curator = company_curator[i]
            company_domain.append(domain)
            company_name.append(c.name)
            company_created.append(created)
            after = {"name": c.name}
            changes.append((created, curator, ct_company, i + 1, c.name, "create", after))
            verified = created + rng.randrange(FIVE_YEARS) if rng.random() < 0.5 else None
            yield (
                i + 1, clock.ts(created), clock.ts(created), "{}",
                rng.choice(("manual", "import", "web_form", "event", "referral")), "",
                clock.ts(verified) if verified else None,
                clock.ts(last_company[i]) if last_company[i] else None,
                "", c.name_key, c.name_prefix, c.search_text,
                rng.choice(kinds), c.name, c.legal_name, c.tax_number, "",
                rng.choice(industries), rng.choice(sizes),
                f"https://www.{domain}" if rng.random() < 0.5 else "", c.phone, c.email,
                branches[lang].pk, curator, curator, rep_team[curator], territories[lang].pk,
            )  # fmt: skip

    columns = (
        "id", "created_at", "updated_at", "custom", "source", "source_detail", "verified_at",
        "last_contacted_at", "notes", "name_key", "name_prefix", "search_text", "kind", "name",
        "legal_name", "tax_number", "registry_number", "industry", "size", "website", "phone",
        "email", "branch_id", "curator_id", "owner_id", "team_id", "territory_id",
    )  # fmt: skip
    writer.copy("contacts_company", columns, company_rows())

    def address_rows():
        n = 0
        for i in range(n_companies):
            if rng.random() < 0.8:
                lang = company_lang[i]
                n += 1
                yield (
                    n, clock.ts(company_created[i]), clock.ts(company_created[i]), "office",
                    f"{rng.choice(datagen.STREETS[lang])} {rng.randrange(1, 120)}",
                    rng.choice(datagen.CITIES[lang]), f"{rng.randrange(1000, 99999)}", "",
                    datagen.COUNTRY[lang], i + 1,
                )  # fmt: skip

    writer.copy(
        "contacts_companyaddress",
        ("id", "created_at", "updated_at", "kind", "street", "city", "postal_code", "region",
         "country", "company_id"),
        address_rows(),
    )  # fmt: skip
    tag_ids = [t.pk for t in tags]
    writer.copy(
        "contacts_company_tags",
        ("company_id", "tag_id"),
        ((i + 1, rng.choice(tag_ids)) for i in range(n_companies) if rng.random() < 0.08),
    )

    # People with e-mails, phones and roles.
    log("writing people")
    emails: list[tuple] = []
    phones: list[tuple] = []
    employments: list[tuple] = []
    channels = ("email", "phone", "sms", "messenger", "meeting", "", "", "")

    def person_rows():
        for i in range(n_people):
            company = person_company[i]
            lang = company_lang[company] if rng.random() < 0.9 else datagen.pick_lang(rng)
            first, middle, last = datagen.person_name(rng, lang)
            mails = datagen.person_emails(rng, lang, first, last, company_domain[company])
            numbers = datagen.person_phones(rng, lang)
            birthday = None
            if rng.random() < 0.4:
                birthday = f"{rng.randrange(1950, 2004)}-{rng.randrange(1, 13):02d}-"
                birthday += f"{rng.randrange(1, 29):02d}"
            p = SimpleNamespace(
                first_name=first,
                middle_name=middle,
                last_name=last,
                position=rng.choice(datagen.POSITIONS[lang]),
                source_detail="",
                birthday=SimpleNamespace(month=int(birthday[5:7]), day=int(birthday[8:10]))
                if birthday
                else None,
            )
            prepare_person(p, mails, numbers)
            if rng.random() < 0.8:
                curator = company_curator[company]
            else:
                curator = rng.choice(team_reps[rep_team[company_curator[company]]])
            if i in (many_person, few_person) or 12 <= i < 12 + MANY_COMPANY_PEOPLE:
                curator = bench_rep
            created = company_created[company] + rng.randrange(FIVE_YEARS // 10)
            stamp = clock.ts(created)
            pid = i + 1
            for k, email in enumerate(mails):
                emails.append((len(emails) + 1, stamp, stamp, email, "work", k == 0, pid))
            for k, number in enumerate(numbers):
                phones.append((len(phones) + 1, stamp, stamp, number, "mobile", k == 0, pid))
            employments.append(
                (len(employments) + 1, stamp, stamp, p.position, True, True, company + 1, pid)
            )
            if rng.random() < 0.08:
                other = pick_company()
                if other != company:
                    employments.append(
                        (len(employments) + 1, stamp, stamp, "", False, True, other + 1, pid)
                    )
            full = " ".join(x for x in (first, middle, last) if x)
            changes.append(
                (created, curator, ct_person, pid, full, "create", {"first_name": first})
            )
            yield (
                pid, stamp, stamp, "{}", rng.choice(("manual", "import", "event", "web_form")),
                "", clock.ts(created + rng.randrange(FIVE_YEARS)) if rng.random() < 0.4 else None,
                clock.ts(last_person[i]) if last_person[i] else None, "", p.name_key,
                p.name_prefix, p.search_text, first, middle, last, p.position, birthday,
                p.birthday_md, rng.choice(channels),
                lang if rng.random() < 0.6 else "", p.email, p.phone, curator, curator,
                rep_team[curator],
            )  # fmt: skip

    columns = (
        "id", "created_at", "updated_at", "custom", "source", "source_detail", "verified_at",
        "last_contacted_at", "notes", "name_key", "name_prefix", "search_text", "first_name",
        "middle_name", "last_name", "position", "birthday", "birthday_md", "preferred_channel",
        "preferred_language", "email", "phone", "curator_id", "owner_id", "team_id",
    )  # fmt: skip
    writer.copy("contacts_person", columns, person_rows())
    for table, value, rows in (
        ("contacts_personemail", "email", emails),
        ("contacts_personphone", "number", phones),
    ):
        columns = ("id", "created_at", "updated_at", value, "kind", "is_primary", "person_id")
        writer.copy(table, columns, rows)
    writer.copy(
        "contacts_employment",
        ("id", "created_at", "updated_at", "position", "is_primary", "is_current", "company_id",
         "person_id"),
        employments,
    )  # fmt: skip
    writer.copy(
        "contacts_person_tags",
        ("person_id", "tag_id"),
        ((i + 1, rng.choice(tag_ids)) for i in range(n_people) if rng.random() < 0.08),
    )
    counts = {"emails": len(emails), "phones": len(phones), "employments": len(employments)}
    for done in (emails, phones, employments):
        done.clear()

    # Activities.
    log("writing activities")
    company_owner = company_curator

    def activity_rows():
        kinds = ("call", "call", "call", "call", "email", "email", "email", "meeting", "note")
        for i in range(len(act_time)):
            company, person, when = act_company[i], act_person[i], act_time[i]
            lang = company_lang[company] if company >= 0 else "lv"
            kind = rng.choice(kinds)
            stamp = clock.ts(when)
            yield (
                i + 1, stamp, stamp, kind,
                rng.choice(("in", "out")) if kind in ("call", "email") else "",
                rng.choice(datagen.SUBJECTS[lang]),
                datagen.BODIES[lang] if rng.random() < 0.3 else "", stamp,
                rng.randrange(2, 60) if kind in ("call", "meeting") else None,
                company + 1 if company >= 0 else None,
                company_owner[company] if company >= 0 else bench_rep,
                person + 1 if person >= 0 else None,
            )  # fmt: skip

    writer.copy(
        "activities_activity",
        ("id", "created_at", "updated_at", "kind", "direction", "subject", "body", "occurred_at",
         "duration_minutes", "company_id", "owner_id", "person_id"),
        activity_rows(),
    )  # fmt: skip

    # Change log: one "created" record per company and person, and edits of the planted records.
    log("writing the change log")
    for ct, pk in ((ct_company, many_company + 1), (ct_person, many_person + 1)):
        for _ in range(300):
            changes.append(
                (now - rng.randrange(FIVE_YEARS), bench_rep, ct, pk, "…", "update", VERIFIED)
            )
    changes.sort(key=lambda c: c[0])

    def change_rows():
        for n, (when, actor, ct, pk, name, action, after) in enumerate(changes, start=1):
            before = json.dumps({"verified_at": None}) if action == "update" else None
            yield (
                n, clock.ts(when), "", action, pk, name[:300], None, before,
                json.dumps(after, ensure_ascii=False), actor, ct, None,
            )  # fmt: skip

    writer.copy(
        "core_changerecord",
        ("id", "created_at", "request_id", "action", "object_id", "object_repr",
         "parent_object_id", "before", "after", "actor_id", "content_type_id",
         "parent_content_type_id"),
        change_rows(),
    )  # fmt: skip
    writer.finish()
    return {
        "scale": scale,
        "companies": n_companies,
        "people": n_people,
        "activities": len(act_time),
        "changes": len(changes),
        **counts,
        "rep": "bench.rep",
        "head": "bench.head",
        "director": "bench.director",
        "admin": "bench.admin",
        "password": BENCH_PASSWORD,
        "many_company": many_company + 1,
        "many_person": many_person + 1,
        "few_person": few_person + 1,
        "few_company": few_company + 1,
    }


def store_meta(meta: dict) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(50) PRIMARY KEY, value TEXT)"
        )
        cur.execute("DELETE FROM bench_meta")
        for key, value in meta.items():
            cur.execute(
                "INSERT INTO bench_meta (key, value) VALUES (%s, %s)", [key, json.dumps(value)]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--postgres", action="store_true", help=f"use {PG_DEFAULT_URL}")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--sales", action="store_true", help="then fill the sales tables (bench/generate_sales.py)"
    )
    parser.add_argument("--sales-scale", type=float, default=1.0, help="1.0 = 200,000 deals")
    args = parser.parse_args()
    url = PG_DEFAULT_URL if args.postgres else args.database_url
    started = time.monotonic()
    log(f"database {url}")
    prepare_database(url, args.reset)
    migrate(url)
    setup_django(url)
    from rapport.contacts.models import Person

    if Person.objects.exists():
        sys.exit("The database already holds people: use --reset to start again.")
    writer_class = SqliteWriter if is_sqlite(url) else PostgresWriter
    meta = generate(lambda: writer_class(url), Clock(is_sqlite(url)), args.scale, args.seed)
    meta["generated_seconds"] = round(time.monotonic() - started)
    store_meta(meta)
    log(f"done in {meta['generated_seconds']} s: {json.dumps(meta)}")
    if args.sales:
        from bench import generate_sales

        generate_sales.run(url, scale=args.sales_scale, seed=args.seed)


if __name__ == "__main__":
    main()
