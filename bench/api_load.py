"""The API section of the benchmarks: the people list under gunicorn, beside a bare DRF view.

Run by ``bench/run.py`` (section ``api``); the ratio of the two request rates is the figure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.run import Bench

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_wrk(url: str, token: str, seconds: int) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def load_python(url: str, token: str, seconds: int, max_requests: int = 5000) -> tuple[float, int]:
    """A bounded load loop: 4 threads, at most max_requests or seconds, whichever comes first."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"ok": 0, "bad": 0, "sent": 0}

    def loop():
        while time.monotonic() < deadline:
            with lock:
                if counts["sent"] >= max_requests:
                    return
                counts["sent"] += 1
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:  # noqa: BLE001
                ok = False
            with lock:
                counts["ok" if ok else "bad"] += 1

    start = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts["ok"] / (time.monotonic() - start), counts["bad"]


def bench_api(b: Bench, users: dict, meta: dict, rounds: int = 3, seconds: int = 5) -> None:
    from rapport.accounts.models import ApiToken

    tokens = {}
    for role in ("director", "rep"):
        token, raw = ApiToken.issue(user=users[role], name="bench")
        tokens[role] = (token, raw)
    b.connection.close()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}  # PYTHONPATH as given
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "-k", "sync", "--log-level",
         "warning", "rapport.wsgi:application"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    use_wrk = shutil.which("wrk") is not None
    load = load_wrk if use_wrk else load_python
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2).read()
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.5)
        targets = {
            "API people list, director": ("/api/v1/people/?limit=50", "director"),
            "API people list, rep": ("/api/v1/people/?limit=50", "rep"),
            "bare DRF list, 50 people": ("/bench/bare/people/", "director"),
        }
        for path, role in targets.values():  # warm up both workers
            load(base + path, tokens[role][1], 1)
        rates: dict[str, list[float]] = {k: [] for k in targets}
        errors = 0
        for _ in range(rounds):
            for name, (path, role) in targets.items():
                rps, bad = load(base + path, tokens[role][1], seconds)
                rates[name].append(rps)
                errors += bad
        bare = statistics.median(rates["bare DRF list, 50 people"])
        client = "wrk -t1 -c4" if use_wrk else "Python client, 4 threads"
        for name, values in rates.items():
            rps = statistics.median(values)
            row = {
                "section": "api",
                "name": f"{name} (req/s, {client}, {rounds}x{seconds}s)",
                "rps": rps,
                "rounds": values,
                "text": f"{rps:,.0f} req/s",
            }
            if not name.startswith("bare"):
                row["ratio"] = rps / bare
                row["text"] = f"{rps:,.0f} req/s = {rps / bare:.2f} x bare"
            b.rows.append(row)
            print(f"   {row['name']}: {row['text']} (rounds {values})", flush=True)
        if errors:
            print(f"   !! {errors} responses were not 2xx")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        for token, _raw in tokens.values():
            token.delete()
