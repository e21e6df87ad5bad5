#!/usr/bin/env python
"""Markdown tables from bench/run.py results, for docs/performance.md.

    .venv/bin/python bench/report.py bench/out/results-A.json [bench/out/results-B.json ...]

Rows of the same measurement from several files (e.g. before and after, or SQLite and
PostgreSQL) are put side by side, labelled "<database> <label>".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(paths: list[str]) -> list[dict]:
    runs = []
    for path in paths:
        for result in json.loads(Path(path).read_text()):
            note = result.get("note") or Path(path).stem.split("-", 3)[-1]
            result["column"] = f"{result['label']} {note}".strip()
            runs.append(result)
    return runs


def fmt(value, digits=1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def main() -> None:
    runs = load(sys.argv[1:])
    names: dict[tuple[str, str], None] = {}
    for run in runs:
        for row in run["rows"]:
            names.setdefault((row["section"], row["name"]), None)
    for section in ("list", "search", "card", "sales"):
        keys = [k for k in names if k[0] == section]
        if not keys:
            continue
        print(f"\n#### {section}\n")
        head = "| measurement | " + " | ".join(
            f"{r['column']} p50 / p99 / CPU ms (queries)" for r in runs
        )
        print(head + " |")
        print("|---" * (len(runs) + 1) + "|")
        for key in keys:
            cells = []
            for run in runs:
                row = next((x for x in run["rows"] if (x["section"], x["name"]) == key), None)
                if row is None:
                    cells.append("")
                else:
                    cells.append(
                        f"{fmt(row['p50'])} / {fmt(row['p99'])} / {fmt(row.get('cpu50'))} "
                        f"({row.get('queries') or ''})"
                    )
            print(f"| {key[1]} | " + " | ".join(cells) + " |")
    keys = [k for k in names if k[0] in ("import", "api", "sales-missing")]
    if keys:
        print("\n#### throughput\n")
        print("| measurement | " + " | ".join(r["column"] for r in runs) + " |")
        print("|---" * (len(runs) + 1) + "|")
        for key in keys:
            cells = []
            for run in runs:
                row = next((x for x in run["rows"] if (x["section"], x["name"]) == key), None)
                cells.append(row["text"] if row else "")
            print(f"| {key[1]} | " + " | ".join(cells) + " |")
    print()
    for run in runs:
        m, machine = run["meta"], run.get("machine", {})
        print(
            f"- {run['column']}: {run['version']}, scale {m['scale']} ({m['people']:,} people), "
            f"{machine.get('cpus')} CPUs {machine.get('cpu', '')}, load average at the end "
            f"{fmt((machine.get('load_average') or [None])[0])}"
        )


if __name__ == "__main__":
    main()
