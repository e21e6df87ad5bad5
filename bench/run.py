#!/usr/bin/env python
"""Rapport benchmarks: print latency, query counts and throughput for SQLite and PostgreSQL.

    .venv/bin/python bench/run.py                   # every database that bench/generate.py filled
    .venv/bin/python bench/run.py --only list,card  # some sections
    .venv/bin/python bench/run.py --only sales:board,sales:pdf  # parts of the sales section
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/rapport_bench

Sections (server-side, in-process through Django's test client and the full middleware stack):
  list    company and person list pages, page 1 and a deep page (page 200, or the last page when
          there are fewer), as a rep sees them (their scope), as a director filtering by a team,
          and as a director seeing everything; sorted by name
  search  the top-bar search and the list search (?q=) over names, transliterated names, parts of
          names, e-mails and phone digits, as a rep and as a director
  card    the company and person cards (with their timeline) of records with a short and a long
          history: latency and the number of SQL queries
  import  a generated 100,000-row people CSV through the real chunk importer (validation, dedupe
          against the base and within the file), rolled back afterwards: rows per second
  api     GET /api/v1/people/ (limit 50, with the total count) under gunicorn with 2 workers,
          interleaved with a bare DRF list view of 50 rows of the same table: requests per second
          and their ratio (wrk when installed, else a Python client)
  sales   (after bench/generate_sales.py) the kanban board of the biggest pipeline (first paint,
          director and rep), a column's cards (htmx, first and a later page), the forecast for a
          year for the whole company (director), a proposal PDF with 40 lines (bench/sales_bench.py)

Each database is measured in its own process; the figures are printed as one table and kept as
JSON in bench/out/. Benchmarks never fail a build: problems are printed and the exit code is 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sales_bench import check_targets as sales_targets  # noqa: E402

OUT = ROOT / "bench" / "out"
SQLITE_URL = f"sqlite:///{OUT / 'bench.sqlite3'}"
PG_URL = "postgres://postgres@127.0.0.1:5432/rapport_bench"
SECTIONS = ("list", "search", "card", "import", "api", "sales")
DEEP_PAGE = 200
IMPORT_ROWS = 100_000
SETTINGS = {"import_rows": IMPORT_ROWS}
HTMX = {"HX-Request": "true", "HX-Target": "record-list"}
TARGETS = {  # PostgreSQL with 1M people, from the issue
    "list_p50": 10.0,
    "list_p99": 50.0,
    "search_p50": 25.0,
    "card_p50": 15.0,
    "api_ratio": 0.5,
    "import_rps": 20_000,
}


# Parent: choose databases, run a worker per database, print the table ---------------------------
def database_available(url: str) -> str | None:
    """None if usable, else why not."""
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        return None if path.exists() else f"{path} does not exist (run bench/generate.py)"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1 FROM bench_meta LIMIT 1")
    except Exception as exc:  # noqa: BLE001
        return f"not usable ({str(exc).strip().splitlines()[0]}); run bench/generate.py --postgres"
    return None


def run_worker(
    url: str, sections: list[str], samples: int, src: Path, import_rows: int
) -> dict | None:
    result_file = OUT / f"worker-{os.getpid()}.json"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)]),
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--database-url",
        url,
        "--only",
        ",".join(sections),
        "--samples",
        str(samples),
        "--import-rows",
        str(import_rows),
        "--result-file",
        str(result_file),
    ]
    proc = subprocess.run(command, env=env, cwd=ROOT)
    if proc.returncode != 0 or not result_file.exists():
        print(f"!! the benchmark worker for {url} failed (exit {proc.returncode})")
        return None
    data = json.loads(result_file.read_text())
    result_file.unlink()
    return data


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value:,.1f}"


def print_table(results: list[dict]) -> None:
    names = [r["label"] for r in results]
    rows: dict[tuple[str, str], dict[str, dict]] = {}
    for result in results:
        for row in result["rows"]:
            rows.setdefault((row["section"], row["name"]), {})[result["label"]] = row
    print()
    for result in results:
        m = result["meta"]
        print(
            f"{result['label']}: {result['version']}, scale {m['scale']}: {m['companies']:,} "
            f"companies, {m['people']:,} people, {m['activities']:,} activities, "
            f"{m['changes']:,} change records"
        )
    header = f"{'measurement':<58}" + "".join(f"| {n:^35}" for n in names)
    sub = f"{'':<58}" + "".join(
        f"| {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7} {'queries':>7} " for _ in names
    )
    section = None
    for (sec, name), by_db in rows.items():
        if sec in ("import", "api", "sales-missing"):
            continue
        if sec != section:
            section = sec
            print()
            print(header)
            print(sub)
            print("-" * len(sub))
        line = f"{name[:58]:<58}"
        for n in names:
            row = by_db.get(n)
            if row is None:
                line += f"| {'':35}"
            else:
                q = "" if row.get("queries") is None else str(row["queries"])
                cpu = fmt_ms(row.get("cpu50"))
                line += f"| {fmt_ms(row['p50']):>8} {fmt_ms(row['p99']):>8} {cpu:>7} {q:>7} "
        print(line)
    extra = [(k, v) for k, v in rows.items() if k[0] in ("import", "api", "sales-missing")]
    if extra:
        print()
        print(f"{'throughput':<58}" + "".join(f"| {n:^35}" for n in names))
        print("-" * (58 + 37 * len(names)))
        for (_sec, name), by_db in extra:
            line = f"{name[:58]:<58}"
            for n in names:
                row = by_db.get(n)
                line += f"| {row['text'] if row else '':>34} "
            print(line)
    pg = next((r for r in results if r["vendor"] == "postgresql"), None)
    if pg is not None:
        print()
        print(f"Targets on {pg['label']} (scale {pg['meta']['scale']}):")
        for line in check_targets(pg):
            print("  " + line)
    for result in results:
        lines = sales_targets(result["rows"])
        if lines:
            print()
            print(f"Sales targets on {result['label']} (issue 3):")
            for line in lines:
                print("  " + line)
    print()


def check_targets(result: dict) -> list[str]:
    rows = result["rows"]
    out = []

    def verdict(ok: bool) -> str:
        return "met " if ok else "MISS"

    lists = [r for r in rows if r["section"] == "list"]
    if lists:
        worst50 = max(lists, key=lambda r: r["p50"])
        worst99 = max(lists, key=lambda r: r["p99"])
        out.append(
            f"{verdict(worst50['p50'] < TARGETS['list_p50'])} list p50 < 10 ms: worst "
            f"{worst50['p50']:.1f} ms ({worst50['name']})"
        )
        out.append(
            f"{verdict(worst99['p99'] < TARGETS['list_p99'])} list p99 < 50 ms: worst "
            f"{worst99['p99']:.1f} ms ({worst99['name']})"
        )
    searches = [r for r in rows if r["section"] == "search"]
    if searches:
        worst = max(searches, key=lambda r: r["p50"])
        out.append(
            f"{verdict(worst['p50'] < TARGETS['search_p50'])} search p50 < 25 ms: worst "
            f"{worst['p50']:.1f} ms ({worst['name']})"
        )
    cards = [r for r in rows if r["section"] == "card"]
    if cards:
        worst = max(cards, key=lambda r: r["p50"])
        counts = {r["queries"] for r in cards if r["name"].startswith("person")}
        counts_c = {r["queries"] for r in cards if r["name"].startswith("company")}
        out.append(
            f"{verdict(worst['p50'] < TARGETS['card_p50'])} card p50 < 15 ms: worst "
            f"{worst['p50']:.1f} ms ({worst['name']})"
        )
        flat = len(counts) <= 1 and len(counts_c) <= 1
        out.append(
            f"{verdict(flat)} card query count independent of history length: person "
            f"{sorted(counts)}, company {sorted(counts_c)}"
        )
    for row in rows:
        if row["section"] == "api" and "ratio" in row:
            out.append(
                f"{verdict(row['ratio'] >= TARGETS['api_ratio'])} API list >= 1/2 of bare DRF: "
                f"{row['name']}: {row['ratio']:.2f}"
            )
        if row["section"] == "import":
            out.append(
                f"{verdict(row['rps'] >= TARGETS['import_rps'])} import >= 20,000 rows/s: "
                f"{row['rps']:,.0f} rows/s"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Rapport benchmarks (see the module docstring).")
    parser.add_argument("--database-url", action="append", help="default: SQLite and PostgreSQL")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--samples", type=int, default=60, help="requests per latency figure")
    parser.add_argument(
        "--src",
        default=str(ROOT / "src"),
        help="the application's source folder to measure (e.g. an export of an older commit, "
        "for before/after figures on the same data)",
    )
    parser.add_argument("--label", default="", help="a note kept with the results")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # "sales:board,sales:pdf" runs parts of the sales section (board, forecast, pdf).
    sections = [s for s in args.only.split(",") if s.split(":")[0] in SECTIONS]
    if args.worker:
        SETTINGS["import_rows"] = args.import_rows
        worker_main(args.database_url[0], sections, args.samples, Path(args.result_file))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    urls = args.database_url or [SQLITE_URL, PG_URL]
    results = []
    for url in urls:
        problem = database_available(url)
        if problem:
            print(f"-- skipping {url}: {problem}")
            continue
        print(f"== {url}", flush=True)
        data = run_worker(url, sections, args.samples, Path(args.src).resolve(), args.import_rows)
        if data:
            data["note"] = args.label
            data["src"] = args.src
            results.append(data)
    if not results:
        print("No benchmark database: run bench/generate.py (see bench/README.md).")
        return
    stamp = time.strftime("%Y%m%d-%H%M%S") + (f"-{args.label}" if args.label else "")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    print_table(results)
    print(f"(raw figures: bench/out/results-{stamp}.json)")


# Worker: one database, in-process measurements ------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class Bench:
    def __init__(self, samples: int):
        from django.db import connection

        self.samples = samples
        self.connection = connection
        self.rows: list[dict] = []
        self.cpu: list[float] = []
        self.sql_ms: float | None = None

    def client(self, user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client

    def time_get(
        self, client, url: str, n: int | None = None, warmup: int = 3, **headers
    ) -> list[float]:
        """Wall-clock milliseconds per request; the process CPU time goes to self.cpu."""
        n = n or self.samples
        for _ in range(warmup):
            self.get(client, url, **headers)
        times = []
        for _ in range(n):
            start, cpu = time.perf_counter(), time.process_time()
            self.get(client, url, **headers)
            times.append((time.perf_counter() - start) * 1000)
            self.cpu.append((time.process_time() - cpu) * 1000)
        return times

    @staticmethod
    def get(client, url: str, **headers):
        response = client.get(url, headers=headers or None)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def count_queries(self, client, url: str, **headers) -> int:
        from django.test.utils import CaptureQueriesContext

        runs = []
        for _ in range(2):  # the smaller of two: the site settings are re-read every 10 s
            with CaptureQueriesContext(self.connection) as ctx:
                self.get(client, url, **headers)
            runs.append(ctx.captured_queries)
        queries = min(runs, key=len)
        # Time spent in the database driver for this one request (on SQLite without the rows
        # fetched after the first, which the driver reads lazily).
        self.sql_ms = sum(float(q["time"]) for q in queries) * 1000
        return len(queries)

    def add(self, section: str, name: str, times: list[float], queries: int | None = None):
        row = {
            "section": section,
            "name": name,
            "p50": statistics.median(times),
            "p99": pct(times, 0.99),
            "cpu50": statistics.median(self.cpu) if self.cpu else None,
            "n": len(times),
            "queries": queries,
            "sql_ms": self.sql_ms if queries is not None else None,
            "load": os.getloadavg()[0],
        }
        self.cpu = []
        self.sql_ms = None
        self.rows.append(row)
        q = "" if queries is None else f", {queries} queries"
        print(
            f"   {name}: p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms, "
            f"CPU p50 {row['cpu50'] or 0:.1f} ms{q}, SQL {row['sql_ms'] or 0:.1f} ms "
            f"(load {row['load']:.1f})",
            flush=True,
        )


def bench_lists(b: Bench, users: dict, meta: dict) -> None:
    from django.urls import reverse

    rep, director = users["rep"], users["director"]
    team = rep.team_id
    for noun, plural in (("company", "companies"), ("person", "people")):
        url = reverse(f"contacts:{noun}_list")
        cases = [
            (f"{plural}: rep, own scope", rep, ""),
            (f"{plural}: director, filtered by a team", director, f"team={team}"),
            (f"{plural}: director, everything", director, ""),
        ]
        for label, user, query in cases:
            client = b.client(user)
            for page_label, page in (("page 1", 1), ("deep page", DEEP_PAGE)):
                params = "&".join(p for p in (query, "sort=name", f"page={page}") if p)
                full = f"{url}?{params}"
                b.add(
                    "list",
                    f"{label}, {page_label}",
                    b.time_get(client, full),
                    b.count_queries(client, full),
                )
                # What paging, sorting and filtering fetch: the rows only, through htmx.
                b.add(
                    "list",
                    f"{label}, {page_label}, rows (htmx)",
                    b.time_get(client, full, **HTMX),
                    b.count_queries(client, full, **HTMX),
                )


def search_terms(meta: dict) -> list[tuple[str, str]]:
    """(kind, term) pairs drawn from the data, so that every term finds something."""
    from rapport.contacts.models import Company, Person
    from rapport.core.text import translit

    rng = random.Random(5)
    ids = [rng.randrange(1, meta["people"] + 1) for _ in range(30)]
    people = list(Person.objects.filter(pk__in=ids).order_by("pk"))
    companies = list(
        Company.objects.filter(pk__in=[rng.randrange(1, meta["companies"] + 1) for _ in range(10)])
    )
    terms = []
    for p in people[:4]:
        terms.append(("last name", p.last_name))
    for p in people[4:7]:
        terms.append(("transliterated name", translit(p.last_name)))
    for p in people[7:10]:
        terms.append(("first + last name", f"{p.first_name} {p.last_name}"))
    for p in people[10:13]:
        terms.append(("part of a name", p.last_name[:4]))
    for p in [p for p in people[13:] if p.email][:3]:
        terms.append(("e-mail", p.email))
    for p in [p for p in people[13:] if p.phone][:3]:
        terms.append(("phone digits", p.phone[-7:]))
    for c in companies[:3]:
        word = max(re.findall(r"\w+", c.name), key=len)
        terms.append(("company word", word))
    return terms


def bench_search(b: Bench, users: dict, meta: dict) -> None:
    from urllib.parse import quote

    from django.urls import reverse

    terms = search_terms(meta)
    print(f"   terms: {', '.join(t for _k, t in terms)}")
    per_term = max(3, b.samples // len(terms) + 1)
    pages = (
        ("top-bar search", reverse("web:search")),
        ("people list ?q=", reverse("contacts:person_list")),
        ("companies list ?q=", reverse("contacts:company_list")),
    )
    for role in ("rep", "director"):
        client = b.client(users[role])
        for label, url in pages:
            times: list[float] = []
            queries = []
            for _kind, term in terms:
                full = f"{url}?q={quote(term)}"
                times += b.time_get(client, full, per_term, warmup=1)
                queries.append(b.count_queries(client, full))
            b.add("search", f"{label}, {role}", times, max(queries))


def bench_cards(b: Bench, users: dict, meta: dict) -> None:
    from django.db.models import Q
    from django.urls import reverse

    from rapport.activities.models import Activity

    client = b.client(users["rep"])
    cases = (
        ("person", meta["few_person"], "short"),
        ("person", meta["many_person"], "long"),
        ("company", meta["few_company"], "short"),
        ("company", meta["many_company"], "long"),
    )
    for noun, pk, history in cases:
        if noun == "person":
            companies = Activity.objects.filter(person_id=pk).values("company_id")
            n = Activity.objects.filter(Q(person_id=pk) | Q(company_id__in=companies)).count()
        else:
            n = Activity.objects.filter(company_id=pk).count()
        url = reverse(f"contacts:{noun}_detail", args=[pk])
        b.add(
            "card",
            f"{noun} card, {history} history (~{n:,} activities)",
            b.time_get(client, url),
            b.count_queries(client, url),
        )


def make_import_file(meta: dict, rows: int) -> bytes:
    """People as a customer would send them: mostly new, some already in the base, some repeated
    within the file, a few invalid."""
    from bench import datagen
    from rapport.contacts.models import Company, Person

    rng = random.Random(11)
    companies = list(
        Company.objects.filter(
            pk__in=[rng.randrange(1, meta["companies"] + 1) for _ in range(3000)]
        ).values_list("name", flat=True)
    )
    existing = list(
        Person.objects.filter(pk__in=[rng.randrange(1, meta["people"] + 1) for _ in range(8000)])
        .exclude(email="")
        .values_list("first_name", "last_name", "email", "phone")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["First name", "Last name", "E-mail", "Phone", "Company", "Position", "Birthday", "Tags"]
    )
    written: list[list[str]] = []
    for i in range(rows):
        roll = rng.random()
        if roll < 0.05 and existing:
            first, last, email, phone = existing[i % len(existing)]
            row = [first, last, email, phone, rng.choice(companies), "", "", ""]
        elif roll < 0.08 and written:
            row = list(rng.choice(written[-500:]))
        else:
            lang = datagen.pick_lang(rng)
            first, _middle, last = datagen.person_name(rng, lang)
            company = rng.choice(companies) if rng.random() < 0.9 else ""
            domain = f"{datagen.slug(company)[:20] or 'mail'}.{datagen.TLD[lang]}"
            emails = datagen.person_emails(rng, lang, first, last, domain)
            phones = datagen.person_phones(rng, lang)
            birthday = ""
            if rng.random() < 0.3:
                birthday = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}."
                birthday += str(rng.randrange(1950, 2004))
            row = [
                first,
                last,
                "\n".join(emails),
                "; ".join(phones),
                company,
                rng.choice(datagen.POSITIONS[lang]),
                birthday,
                "import" if rng.random() < 0.1 else "",
            ]
            if roll > 0.985:
                row[2] = "not-an-e-mail"
        written.append(row)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def bench_import(b: Bench, users: dict, meta: dict) -> None:
    from django.conf import settings
    from django.db import transaction

    from rapport.contacts import fileformats, importspec
    from rapport.contacts.imports import rows_with_mapping
    from rapport.contacts.services.imports import import_people_chunk

    content = make_import_file(meta, SETTINGS["import_rows"])
    (OUT / "import-people.csv").write_bytes(content)
    actor = users["rep"]
    chunk_size = settings.RAPPORT["IMPORT_CHUNK_SIZE"]
    totals = {"created": 0, "skipped": 0, "rejected": 0}

    class Rollback(Exception):
        pass

    start = time.perf_counter()
    try:
        with transaction.atomic():
            headers, body = fileformats.read_table(content, "import-people.csv", "auto")
            mapping = importspec.guess_mapping("person", headers)
            rows = list(rows_with_mapping(headers, body, mapping))
            for begin in range(0, len(rows), chunk_size):
                with transaction.atomic():
                    outcome = import_people_chunk(
                        actor=actor,
                        rows=rows[begin : begin + chunk_size],
                        on_duplicate="skip",
                        source_name="import-people.csv",
                    )
                totals["created"] += outcome.created
                totals["skipped"] += outcome.skipped
                totals["rejected"] += len(outcome.rejected)
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    floor = insert_floor(len(rows))
    if b.connection.vendor == "postgresql":
        # The rolled-back rows left dead tuples and index entries behind: clean them up so the
        # following measurements (and the next run) read the same tables as before.
        with b.connection.cursor() as cursor:
            for table in (
                "contacts_person",
                "contacts_company",
                "contacts_personemail",
                "contacts_personphone",
                "contacts_employment",
                "contacts_person_tags",
                "core_changerecord",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
    rps = len(rows) / elapsed
    text = f"{rps:,.0f} rows/s (the people table alone takes {floor:,.0f} rows/s)"
    b.rows.append(
        {
            "section": "import",
            "name": f"import {len(rows):,} people (CSV, dedupe, chunks of {chunk_size})",
            "rps": rps,
            "seconds": elapsed,
            "table_floor_rps": floor,
            **totals,
            "text": text,
        }
    )
    print(f"   import: {len(rows):,} rows in {elapsed:.1f} s = {text}; {totals}", flush=True)


def insert_floor(rows: int) -> float:
    """Rows/s of the database alone: copying ``rows`` existing people into the people table
    (all its indexes, the trigram index included) by one INSERT ... SELECT, rolled back. No
    importer writing the same rows can be faster than this."""
    from django.db import connection, transaction

    from rapport.contacts.models import Person

    columns = ", ".join(f.column for f in Person._meta.concrete_fields if not f.primary_key)
    sql = (
        f"INSERT INTO contacts_person ({columns}) SELECT {columns} FROM contacts_person "
        "WHERE id IN (SELECT id FROM contacts_person ORDER BY id LIMIT %s OFFSET 100000)"
    )

    class Rollback(Exception):
        pass

    start = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [rows])
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return rows / elapsed


def worker_main(url: str, sections: list[str], samples: int, result_file: Path) -> None:
    import django

    django.setup()
    from rapport.core.startup import settle

    settle()  # as the WSGI entry point does before serving
    from django.db import connection

    from bench.api_load import bench_api
    from bench.sales_bench import bench_sales
    from rapport.accounts.models import User

    with connection.cursor() as cur:
        cur.execute("SELECT key, value FROM bench_meta")
        meta = {k: json.loads(v) for k, v in cur.fetchall()}
        if connection.vendor == "sqlite":
            cur.execute("SELECT sqlite_version()")
            version = f"SQLite {cur.fetchone()[0]}"
        else:
            cur.execute("SHOW server_version")
            version = f"PostgreSQL {cur.fetchone()[0].split()[0]}"
    users = {
        role: User.objects.select_related("team").get(username=meta[role])
        for role in ("rep", "head", "director")
    }
    b = Bench(samples)
    label = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    for section, fn in (
        ("list", bench_lists),
        ("search", bench_search),
        ("card", bench_cards),
        ("import", bench_import),
        ("api", bench_api),
        ("sales", bench_sales),
    ):
        if not any(s.split(":")[0] == section for s in sections):
            continue
        if section == "sales":
            import bench.sales_bench

            bench.sales_bench.PARTS[:] = [s.split(":")[1] for s in sections if ":" in s]
        print(f"-- {label}: {section}", flush=True)
        try:
            fn(b, users, meta)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            print(f"!! {section} failed on {label}; going on")
    result_file.write_text(
        json.dumps(
            {
                "label": label,
                "vendor": connection.vendor,
                "version": version,
                "url": url,
                "meta": meta,
                "rows": b.rows,
                "machine": machine(),
            },
            default=str,
        )
    )


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        model = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        info["cpu"] = model[0] if model else ""
        mem = Path("/proc/meminfo").read_text().split()[1]
        info["memory_gib"] = round(int(mem) / 1024 / 1024)
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    return info


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001  (benchmarks never fail a run)
        traceback.print_exc()
    sys.exit(0)
