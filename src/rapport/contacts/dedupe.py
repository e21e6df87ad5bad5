"""Finding likely duplicates ("a colleague already works with this client") for one or many rows.

Candidates come from indexed lookups only (name prefix, tax number, e-mail, phone); similarity is
scored in Python with rapidfuzz on transliterated keys, so "ООО Ромашка" matches "Romashka SIA".
The same matcher serves the create form, the API and imports (in batches of a chunk).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from rapport.contacts.models import Company, Person, PersonEmail, PersonPhone
from rapport.contacts.normalize import name_key, normalize_email, normalize_phone
from rapport.core.errors import ValidationError

NAME_THRESHOLD = 88
FUZZY_CANDIDATES = 400
MAX_MATCHES = 10

REASONS = {
    "tax_number": _("same tax number"),
    "email": _("same e-mail"),
    "phone": _("same phone"),
    "name": _("similar name"),
}


@dataclass
class Probe:
    """What is known about a record about to be created (already normalised)."""

    name: str
    tax_number: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    exclude_pk: int | None = None
    is_person: bool = False

    @property
    def key(self) -> str:
        return name_key(self.name, drop_legal_forms=not self.is_person)


@dataclass
class Match:
    pk: int
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def is_strong(self) -> bool:
        return any(r != "name" for r in self.reasons)


def _score_names(probe_key: str, key: str) -> int:
    if not probe_key or not key:
        return 0
    return int(fuzz.token_sort_ratio(probe_key, key))


def _collect(probes, rows, fuzzy: bool) -> list[list[Match]]:
    """rows: (pk, name_key, tax, {emails}, {phones}) of every candidate."""
    # Bucket the candidates by what can match, so each probe compares only with its own
    # candidates (a chunk of 500 imported rows against 200,000 candidates stays linear).
    by_key: dict[str, list] = {}
    by_prefix: dict[str, list] = {}
    by_tax: dict[str, list] = {}
    by_point: dict[str, list] = {}
    for row in rows:
        _pk, row_key, tax, emails, phones = row
        if row_key:
            by_key.setdefault(row_key, []).append(row)
            if fuzzy:
                by_prefix.setdefault(row_key[:4], []).append(row)
        if tax:
            by_tax.setdefault(tax, []).append(row)
        for point in (*emails, *phones):
            by_point.setdefault(point, []).append(row)
    results: list[list[Match]] = []
    for probe in probes:
        key = probe.key
        candidates: dict[int, tuple] = {}
        buckets = [by_key.get(key, ()) if key else ()]
        if fuzzy and key:
            buckets.append(by_prefix.get(key[:4], ()))
        if probe.tax_number:
            buckets.append(by_tax.get(probe.tax_number, ()))
        buckets += [by_point.get(point, ()) for point in (*probe.emails, *probe.phones)]
        for bucket in buckets:
            for row in bucket:
                candidates[row[0]] = row
        matches: dict[int, Match] = {}
        for pk, row_key, tax, emails, phones in candidates.values():
            if pk == probe.exclude_pk:
                continue
            reasons = []
            if probe.tax_number and tax and probe.tax_number == tax:
                reasons.append("tax_number")
            if probe.emails and emails & set(probe.emails):
                reasons.append("email")
            if probe.phones and phones & set(probe.phones):
                reasons.append("phone")
            score = 100 if key and key == row_key else 0
            if not score and fuzzy and key and row_key and row_key[:4] == key[:4]:
                score = _score_names(key, row_key)
            if score >= NAME_THRESHOLD:
                reasons.append("name")
            if reasons:
                matches[pk] = Match(pk=pk, score=score, reasons=reasons)
        ordered = sorted(matches.values(), key=lambda m: (not m.is_strong, -m.score, m.pk))
        results.append(ordered[:MAX_MATCHES])
    return results


def company_matches(probes: list[Probe], *, fuzzy: bool = True) -> list[list[Match]]:
    keys = {p.key for p in probes if p.key}
    q = Q(name_key__in=keys)
    if fuzzy:
        q |= Q(name_prefix__in={k[:4] for k in keys})
    taxes = {p.tax_number for p in probes if p.tax_number}
    emails = {e for p in probes for e in p.emails}
    phones = {n for p in probes for n in p.phones}
    if taxes:
        q |= Q(tax_number__in=taxes)
    if emails:
        q |= Q(email__in=emails)
    if phones:
        q |= Q(phone__in=phones)
    limit = FUZZY_CANDIDATES * max(1, len(probes))
    rows = [
        (pk, key, tax, {email} if email else set(), {phone} if phone else set())
        for pk, key, tax, email, phone in Company.objects.filter(q)
        .order_by()
        .values_list("pk", "name_key", "tax_number", "email", "phone")[:limit]
    ]
    return _collect(probes, rows, fuzzy)


def person_matches(
    probes: list[Probe], *, fuzzy: bool = True, by_name: bool = True
) -> list[list[Match]]:
    """``by_name=False``: only people sharing an e-mail or phone (the import keeps only strong
    matches, and reading every namesake of 500 people costs more than the rest of a chunk)."""
    keys = {p.key for p in probes if p.key}
    emails = {e for p in probes for e in p.emails}
    phones = {n for p in probes for n in p.phones}
    q = Q(name_key__in=keys)
    if fuzzy:
        q |= Q(name_prefix__in={k[:4] for k in keys})
    limit = FUZZY_CANDIDATES * max(1, len(probes))
    # One indexed lookup per kind of evidence: a single OR over the e-mail and phone subqueries
    # makes PostgreSQL scan every person (a second per imported chunk on a million people).
    by_email: dict[int, set[str]] = {}
    by_phone: dict[int, set[str]] = {}
    if emails:
        for pid, email in PersonEmail.objects.filter(email__in=emails).values_list(
            "person_id", "email"
        ):
            by_email.setdefault(pid, set()).add(email)
    if phones:
        for pid, number in PersonPhone.objects.filter(number__in=phones).values_list(
            "person_id", "number"
        ):
            by_phone.setdefault(pid, set()).add(number)
    pointed = sorted(set(by_email) | set(by_phone))
    base = (
        list(Person.objects.filter(pk__in=pointed).values_list("pk", "name_key")) if pointed else []
    )
    found = {pk for pk, _key in base}
    if by_name:
        namesakes = Person.objects.filter(q).order_by().values_list("pk", "name_key")[:limit]
        base += [(pk, key) for pk, key in namesakes if pk not in found]
    rows = [(pk, key, "", by_email.get(pk, set()), by_phone.get(pk, set())) for pk, key in base]
    return _collect(probes, rows, fuzzy)


def disclose(model, matches: list[Match], user) -> list[dict]:
    """What ``user`` may learn about each match: everything in scope, else only who to talk to."""
    if not matches:
        return []
    ids = [m.pk for m in matches]
    objects = {
        o.pk: o for o in model.objects.filter(pk__in=ids).select_related("curator", "curator__team")
    }
    visible = set(model.objects.restrict(user).filter(pk__in=ids).values_list("pk", flat=True))
    out = []
    for match in matches:
        obj = objects.get(match.pk)
        if obj is None:
            continue
        curator = obj.curator
        item = {
            "name": str(obj),
            "curator": str(curator) if curator else None,
            "curator_team": str(curator.team) if curator and curator.team_id else None,
            "reasons": [str(REASONS[r]) for r in match.reasons],
            "is_visible": match.pk in visible,
        }
        if match.pk in visible:
            item.update(
                id=obj.pk,
                url=obj.get_absolute_url(),
                last_contacted_at=obj.last_contacted_at,
            )
        out.append(item)
    return out


def _normalized(fn, values) -> tuple[str, ...]:
    """What the user typed, normalised; a value that is not valid yet simply matches nothing."""
    out = []
    for value in values:
        try:
            point = fn(value or "")
        except ValidationError:
            continue
        if point:
            out.append(point)
    return tuple(out)


def company_probe(data, exclude_pk=None) -> Probe:
    return Probe(
        name=data.get("name", "") or "",
        # Typed text goes into a query: a NUL would make PostgreSQL fail, and cannot match anyway.
        tax_number=(data.get("tax_number", "") or "").upper().replace(" ", "").replace("\x00", ""),
        emails=_normalized(normalize_email, [data.get("email", "")]),
        phones=_normalized(normalize_phone, [data.get("phone", "")]),
        exclude_pk=exclude_pk,
    )


def person_probe(first_name: str, last_name: str, emails, phones, exclude_pk=None) -> Probe:
    return Probe(
        name=f"{first_name} {last_name}",
        emails=_normalized(normalize_email, emails),
        phones=_normalized(normalize_phone, phones),
        exclude_pk=exclude_pk,
        is_person=True,
    )
