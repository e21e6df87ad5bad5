"""Fail when a ru/uk/lv catalogue has an empty or fuzzy translation, or a stale compiled .mo."""

from __future__ import annotations

import ast
import gettext
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "src" / "rapport" / "locale"
LANGUAGES = ("ru", "uk", "lv")


def parse_po(path: Path) -> tuple[dict, list[str]]:
    """Return {msgid (or (msgid, plural index)): msgstr} and a list of problems."""
    entries, problems = {}, []
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if not lines:
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            current = key
            fields[key] = ast.literal_eval(value)
        msgid = fields.get("msgid", "")
        if not msgid:
            continue
        context = fields.get("msgctxt")
        key = f"{context}\x04{msgid}" if context is not None else msgid
        if fuzzy:
            problems.append(f"{path}: fuzzy translation of {msgid!r}")
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if name.startswith("msgstr["):
                    index = int(name[7:-1])
                    entries[(key, index)] = value
                    if not value:
                        problems.append(f"{path}: empty plural {index} of {msgid!r}")
        else:
            entries[key] = fields.get("msgstr", "")
            if not entries[key]:
                problems.append(f"{path}: empty translation of {msgid!r}")
    return entries, problems


def main() -> int:
    problems = []
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not po.exists() or not mo.exists():
            problems.append(f"missing catalogue for {lang}")
            continue
        entries, found = parse_po(po)
        problems += found
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog
        for key, value in entries.items():
            mo_key = key if isinstance(key, tuple) else key
            if value and compiled.get(mo_key) != value:
                problems.append(f"{mo}: out of date for {key!r} (run `make messages`)")
                break
    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problems")
        return 1
    print("translations complete:", ", ".join(LANGUAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
