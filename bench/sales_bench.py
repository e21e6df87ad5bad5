"""The ``sales`` section of bench/run.py: the kanban board, a column page, the forecast, a PDF.

Server-side, in process, through the whole middleware stack (the same ``Bench`` as the other
sections). URLs are found by their names in the sales, analytics and orders apps; a view that does
not exist is reported as not measured. On PostgreSQL the slowest statement of each measured page
is explained (EXPLAIN ANALYZE) into bench/out/sales-plans-postgresql-<parts>.txt.
"""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PDF_SAMPLES = 10
# The forecast's first request learns the history (cached 15 minutes per scope afterwards): after
# the process's first request, this many more are timed with the cache emptied before each.
COLD_SAMPLES = 7
HX = {"HX-Request": "true"}
# Parts to run ("board", "forecast", "pdf"); run.py sets them from --only sales:board,...
PARTS: list[str] = []
# A forecast request slower than this is measured once (with a PostgreSQL statement timeout).
SLOW_MS = 5000
STATEMENT_TIMEOUT_MS = 300_000
# PostgreSQL's JIT compiled the first forecast's CASE of ~1,700 branches for 10+ minutes (and
# a backend does not answer a cancel meanwhile): the forecast is measured with jit off unless this
# is set.
FORECAST_JIT = bool(os.environ.get("BENCH_FORECAST_JIT"))
TARGETS = {"board_p99": 150.0, "column_p99": 150.0, "forecast": 1000.0, "pdf_p50": 1000.0}


def _patterns(namespace: str):
    """(name, pattern) of every route of an app namespace."""
    from django.urls import get_resolver

    resolver = get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) != namespace:
            continue
        stack = list(entry.url_patterns)
        while stack:
            p = stack.pop()
            if hasattr(p, "url_patterns"):
                stack.extend(p.url_patterns)
            elif p.name:
                found.append((p.name, p))
    return found


def _find(namespace: str, *words: str, exclude: tuple[str, ...] = ()):
    for name, pattern in sorted(_patterns(namespace), key=lambda item: len(item[0])):
        if all(w in name for w in words) and not any(x in name for x in exclude):
            return name, pattern
    return None, None


def _kwargs(pattern, values: dict) -> dict | None:
    """Fill the route's parameters from ``values`` by the words in their names."""
    out = {}
    for key in pattern.pattern.converters:
        for word, value in values.items():
            if word in key:
                out[key] = value
                break
        else:
            if key == "pk" and "pk" in values:
                out[key] = values["pk"]
            else:
                return None
    return out


class Missing(Exception):
    """A route to measure does not exist (yet)."""


def _url(namespace, words, values, exclude=()):
    from django.urls import reverse

    name, pattern = _find(namespace, *words, exclude=exclude)
    if name is None:
        raise Missing(f"no route named like {'+'.join(words)} in {namespace}")
    kwargs = _kwargs(pattern, values)
    if kwargs is None:
        raise Missing(f"{namespace}:{name} takes {list(pattern.pattern.converters)}")
    return f"{namespace}:{name}", reverse(f"{namespace}:{name}", kwargs=kwargs)


def _next_links(body: str, path: str) -> list[str]:
    """Links to further pages of ``path`` in an htmx answer (hx-get of a "load more")."""
    links = []
    for match in re.finditer(r'hx-get="([^"]+)"', body):
        link = html.unescape(match.group(1))
        if link.split("?")[0] == path and "?" in link:
            links.append(link)
    return links


class SalesBench:
    """The measurements of one database; each part prints and records its rows."""

    def __init__(self, b, users, meta):
        from django.db import connection

        self.b = b
        self.users = users
        self.meta = meta
        self.vendor = connection.vendor
        parts = "-".join(PARTS) or "all"
        self.plans_file = OUT / f"sales-plans-{self.vendor}-{parts}.txt"
        if self.vendor == "postgresql":
            self.plans_file.write_text("")

    def missing(self, name: str, why: str) -> None:
        print(f"   {name}: NOT MEASURED ({why})", flush=True)
        self.b.rows.append(
            {"section": "sales-missing", "name": name, "text": f"not measured: {why}"}
        )

    def measure(self, name, client, url, n=None, warmup=3, queries=True, **headers):
        """Time ``url`` like the other sections, count its queries, explain its slowest."""
        b = self.b
        try:
            times = b.time_get(client, url, n, warmup, **headers)
            queries = b.count_queries(client, url, **headers) if queries else None
        except Exception as exc:  # noqa: BLE001  (a view being written may fail: report it)
            b.cpu = []
            self.missing(name, f"{type(exc).__name__}: {str(exc)[:150]}")
            return None
        b.add("sales", name, times, queries)
        if queries is not None:
            self.explain(name, client, url, **headers)
        return b.rows[-1]

    def explain(self, name, client, url, **headers):
        """EXPLAIN ANALYZE the slowest statement of one request (PostgreSQL only)."""
        if self.vendor != "postgresql":
            return
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(url, headers=headers or None)
        queries = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        if not queries:
            return
        sql = queries[0]["sql"]
        ms = float(queries[0]["time"]) * 1000
        lines = [f"== {name} ({url}): {len(queries)} statements, slowest {ms:.1f} ms", sql]
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cur:
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines += [row[0] for row in cur.fetchall()]
        with self.plans_file.open("a") as out:
            out.write("\n".join(lines) + "\n\n")
        if ms > 20:
            print(f"   slowest statement {ms:.1f} ms: {sql[:300]}", flush=True)

    # The sections -----------------------------------------------------------------------------
    def board(self):
        pipeline = self.meta["sales_biggest_pipeline"]
        stage = self.meta["sales_biggest_stage"]
        try:
            name, url = _url("sales", ("board",), {"pipeline": pipeline, "pk": pipeline},
                             exclude=("column", "move", "card", "total"))  # fmt: skip
        except Missing as exc:
            self.missing("board", str(exc))
            return
        open_deals = self.meta.get("sales_biggest_pipeline_open", 0)
        print(f"   board: {name} {url} ({open_deals:,} open deals)", flush=True)
        board_url = url
        team = self.users["rep"].team_id
        for label, role, query in (
            ("director", "director", ""),
            ("director, filtered by a team", "director", f"?team={team}"),
            ("rep (own scope)", "rep", ""),
        ):
            client = self.b.client(self.users[role])
            self.measure(f"board first paint, {label}", client, url + query)
        try:
            name, column = _url(
                "sales", ("column",), {"pipeline": pipeline, "stage": stage, "pk": stage}
            )
        except Missing as exc:
            self.missing("board column page", str(exc))
            return
        print(f"   column: {name} {column}", flush=True)
        for role in ("director", "rep"):
            client = self.b.client(self.users[role])
            self.measure(f"column page 1 (htmx), {role}", client, column, **HX)
            # A later page: follow the column's own "load more" links a few times.
            url, page = column, 1
            for _ in range(4):
                body = client.get(url, headers=HX).content.decode()
                links = _next_links(body, column.split("?")[0])
                if not links:
                    break
                url, page = links[-1], page + 1
            if page == 1:
                url, page = f"{column}{'&' if '?' in column else '?'}page=5", 5
            self.measure(f"column page {page} (htmx), {role}", client, url, **HX)
        # What a browser fetches to show the board: the page, then every column's first page
        # (sent at once by htmx; summed here, one after the other).
        prefix = column.rstrip("/").rsplit("/", 1)[0] + "/"
        for role in ("director", "rep"):
            client = self.b.client(self.users[role])
            body = client.get(board_url).content.decode()
            columns = [
                html.unescape(m)
                for m in re.findall(r'hx-get="([^"]+)"', body)
                if m.startswith(prefix)
            ]
            times = []
            for i in range(self.b.samples // 2 + 2):
                start, cpu = time.perf_counter(), time.process_time()
                self.b.get(client, board_url)
                for link in columns:
                    self.b.get(client, link, **HX)
                if i >= 2:
                    times.append((time.perf_counter() - start) * 1000)
                    self.b.cpu.append((time.process_time() - cpu) * 1000)
            self.b.add("sales", f"board + its {len(columns)} columns' first pages, {role}", times)
        # Far down a long column (offset paging): the director's first stage holds ~19,000.
        client = self.b.client(self.users["director"])
        self.measure(
            "column at offset 2,000 (htmx), director", client, column + "?offset=2000", **HX
        )

    def forecast(self):
        from django.urls import NoReverseMatch, reverse

        try:
            url = reverse("analytics:forecast")
        except NoReverseMatch:
            try:
                _name, url = _url("analytics", ("forecast",), {})
            except Missing as exc:
                self.missing("forecast", str(exc))
                return
        import datetime as dt

        today = dt.date.today()
        year = today.year
        ahead = (today + dt.timedelta(days=364)).isoformat()
        client = self.b.client(self.users["director"])
        cases = (
            (f"forecast {year} by month, company (default)", ""),
            ("forecast next 12 months by month, company",
             f"?from={today.isoformat()}&to={ahead}&period=month"),
            (f"forecast {year} by quarter, per rep",
             f"?from={year}-01-01&to={year}-12-31&period=quarter&group_by=owner"),
        )  # fmt: skip
        from django.db import connection

        if self.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
                # (The benchmark database may have jit off as its own setting: see the README.)
                cur.execute(f"SET jit = {'on' if FORECAST_JIT else 'off'}")
        from django.core.cache import cache

        cache.clear()  # the first request reads history with cold caches
        if self.vendor == "postgresql":
            print(f"   forecast with jit {'on' if FORECAST_JIT else 'off'}", flush=True)
        try:
            for label, query in cases:
                name = label  # as the director
                start = time.perf_counter()
                try:
                    self.b.get(client, url + query)
                except Exception as exc:  # noqa: BLE001
                    ms = (time.perf_counter() - start) * 1000
                    self.missing(name, f"failed after {ms:,.0f} ms: {str(exc)[:200]}")
                    continue
                ms = (time.perf_counter() - start) * 1000
                if query == cases[0][1]:
                    self.b.add("sales", f"{name}, cold", [ms])  # the first, caches empty
                    if ms <= SLOW_MS:
                        self.cold(f"{name}, cold, {COLD_SAMPLES} requests", client, url + query)
                if ms > SLOW_MS:  # one more timed request, no repeats
                    print(f"   {name}: first request {ms:,.0f} ms: measured once more", flush=True)
                    self.measure(name, client, url + query, n=1, warmup=0, queries=False)
                else:
                    self.measure(name, client, url + query, n=max(10, self.b.samples // 3))
        finally:
            if self.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET statement_timeout = 0")
                    cur.execute("RESET jit")
        self.forecast_shape()

    def cold(self, name, client, url):
        """``url`` with every cache emptied before each request (the history is learned anew)."""
        from django.core.cache import cache

        times = []
        for _ in range(COLD_SAMPLES):
            cache.clear()
            start, cpu = time.perf_counter(), time.process_time()
            self.b.get(client, url)
            times.append((time.perf_counter() - start) * 1000)
            self.b.cpu.append((time.process_time() - cpu) * 1000)
        self.b.add("sales", name, times)

    def forecast_shape(self):
        """How many groups of open deals the history forecast distinguishes (each is a learned
        row joined to the deals: a (stage, rep) pair or a stage)."""
        try:
            import datetime as dt

            from rapport.analytics.forecast import build_forecast
        except ImportError:
            return
        year = dt.date.today().year
        start = time.perf_counter()
        forecast = build_forecast(
            self.users["director"], start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
        )
        ms = (time.perf_counter() - start) * 1000
        levels = getattr(forecast, "method_levels", {})
        print(
            f"   build_forecast({year}) once: {ms:,.0f} ms; history groups by level: {levels}",
            flush=True,
        )

    def pdf(self):
        proposal = self.meta["sales_pdf_proposal"]
        lines = self.meta.get("sales_pdf_lines", 40)
        client = self.b.client(self.users["rep"])
        try:
            _name, url = _url("orders", ("proposal", "pdf"), {"proposal": proposal, "pk": proposal})
        except Missing as exc:
            self.missing("proposal PDF view", str(exc))
        else:
            self.measure(f"proposal PDF view ({lines} lines), rep", client, url, PDF_SAMPLES, 1)
        self.render_direct(proposal, lines)
        # The other documents' PDF views, for comparison (a rep's order and its invoice).
        from rapport.orders.models import Invoice

        invoice = (
            Invoice.objects.filter(owner=self.users["rep"])
            .exclude(number="")
            .order_by("pk")
            .first()
        )
        if invoice is not None:
            for noun, pk in (("order", invoice.order_id), ("invoice", invoice.pk)):
                try:
                    _name, url = _url("orders", (noun, "pdf"), {"pk": pk}, exclude=("line",))
                except Missing as exc:
                    self.missing(f"{noun} PDF view", str(exc))
                    continue
                self.measure(f"{noun} PDF view, rep", client, url, PDF_SAMPLES, 1)

    def render_direct(self, proposal_id, lines):
        """render_pdf of the proposal's template without the view (when the service has it)."""
        try:
            from rapport.orders.services import proposals as service
        except ImportError as exc:
            self.missing("render_pdf(proposal)", str(exc))
            return
        from rapport.orders.models import Proposal

        fn = next(
            (
                getattr(service, n)
                for n in ("proposal_pdf", "render_proposal_pdf", "proposal_render_pdf")
                if hasattr(service, n)
            ),
            None,
        )
        if fn is None:
            self.missing("render_pdf(proposal)", "no proposal_pdf() in orders.services.proposals")
            return
        proposal = Proposal.objects.get(pk=proposal_id)
        times = []
        try:
            for i in range(PDF_SAMPLES + 1):
                start, cpu = time.perf_counter(), time.process_time()
                data = fn(proposal)
                if i:
                    times.append((time.perf_counter() - start) * 1000)
                    self.b.cpu.append((time.process_time() - cpu) * 1000)
        except Exception as exc:  # noqa: BLE001
            self.missing("render_pdf(proposal)", f"{type(exc).__name__}: {str(exc)[:150]}")
            return
        size = len(data if isinstance(data, bytes) else getattr(data, "content", b""))
        print(f"   {fn.__name__}(): {size:,} bytes", flush=True)
        self.b.add("sales", f"{fn.__name__}() ({lines} lines)", times)


def bench_sales(b, users: dict, meta: dict) -> None:
    if "sales_deals" not in meta:
        print("   no sales data: run bench/generate_sales.py (see bench/README.md)")
        return
    print(
        f"   {meta['sales_deals']:,} deals, {meta['sales_proposal_lines']:,} proposal lines, "
        f"{meta['sales_invoices']:,} invoices",
        flush=True,
    )
    s = SalesBench(b, users, meta)
    for name in ("board", "forecast", "pdf"):
        if not PARTS or name in PARTS:
            getattr(s, name)()
    if s.vendor == "postgresql":
        print(f"   query plans of the slowest statements: {s.plans_file}")


def check_targets(rows: list[dict]) -> list[str]:
    out = []

    def verdict(ok):
        return "met " if ok else "MISS"

    for row in rows:
        if row["section"] == "sales-missing":
            out.append(f"---- {row['name']}: {row['text']}")
        if row["section"] != "sales":
            continue
        name = row["name"]
        if name.startswith("board +"):  # no target of its own: what the browser waits for
            out.append(f"info {name}: p50 {row['p50']:,.1f} ms, p99 {row['p99']:,.1f} ms")
            continue
        if name.startswith("board"):
            target, value, what = TARGETS["board_p99"], row["p99"], "p99 < 150 ms"
        elif name.startswith("column"):
            target, value, what = TARGETS["column_p99"], row["p99"], "p99 < 150 ms"
        elif name.startswith("forecast"):
            target, value, what = TARGETS["forecast"], row["p99"], "p99 < 1 s"
        else:
            target, value, what = TARGETS["pdf_p50"], row["p50"], "p50 < 1 s"
        out.append(f"{verdict(value < target)} {name}: {what}: {value:,.1f} ms")
    return out
