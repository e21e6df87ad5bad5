"""Importing rows in bulk: the same normalisation and validation as the single-record services,
deduplicated against the base and within the file, written per chunk in one transaction."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.contacts import dedupe
from rapport.contacts.choices import CompanyKind, Industry, Language, Source
from rapport.contacts.models import (
    Company,
    CompanyAddress,
    Employment,
    Person,
    PersonEmail,
    PersonPhone,
)
from rapport.contacts.normalize import name_key, normalize_email, normalize_phone
from rapport.contacts.services.companies import _normalize as normalize_company
from rapport.contacts.services.people import _prepare as prepare_person
from rapport.contacts.services.records import apply_defaults, tags_from_names
from rapport.core import custom_fields
from rapport.core.context import current_request_id
from rapport.core.custom_fields import clean_value, definitions_for
from rapport.core.errors import ValidationError
from rapport.core.forms import split_lines
from rapport.core.models import ChangeAction, ChangeRecord
from rapport.core.text import translit

ON_DUPLICATE = ("skip", "create")
SKIP_CLEAN = ["tags", "curator", "owner", "team", "territory", "branch", "custom"]
_cyrillic = re.compile("[\u0400-\u04ff]")


@dataclass
class ChunkResult:
    created: int = 0
    skipped: int = 0
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)


def _choice(value: str, choices, label: str):
    """Accept a choice by its value or its label in any of our languages."""
    text = (value or "").strip()
    if not text:
        return ""
    from django.utils import translation

    wanted = translit(text)
    for code, display in choices:
        if wanted == translit(code):
            return code
        for lang in ("en", "ru", "uk", "lv"):
            with translation.override(lang):
                if wanted == translit(str(display)):
                    return code
    raise ValidationError(
        _("“%(value)s” is not a known %(field)s.") % {"value": text, "field": label}
    )


def _date(value: str) -> datetime.date | None:
    text = (value or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%d.%m.%y", "%Y-%m-%dT%H:%M:%S"):
        try:
            day = datetime.datetime.strptime(text[:19], fmt).date()
        except ValueError:
            continue
        if day.year < 1900 or day > timezone.localdate():
            break
        return day
    raise ValidationError(
        _("“%(value)s” is not a valid date (use YYYY-MM-DD or DD.MM.YYYY).") % {"value": text[:40]}
    )


def _custom(target: str, row: dict, definitions=None) -> dict:
    values = {}
    for definition in definitions_for(target) if definitions is None else definitions:
        raw = row.get(f"{custom_fields.PREFIX}{definition.key}")
        if raw in (None, ""):
            if definition.is_required:
                raise ValidationError(_("%(field)s is required.") % {"field": definition.label})
            continue
        values[definition.key] = clean_value(definition, raw)
    return values


def _field_label(model, name: str) -> str:
    """The field's name as the user sees it in the form ("E-mail", not "emails")."""
    labels = {"emails": _("E-mail"), "phones": _("Phone")}
    if name in labels:
        return str(labels[name])
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # a key that is not a model field
        return name


def _messages(exc: ValidationError, model) -> list[str]:
    if hasattr(exc, "error_dict"):
        out = []
        for name, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    label = _field_label(model, name)
                    out.append(f"{label}: {message}" if name != "__all__" else message)
        return out
    return list(exc.messages)


def _change_record(actor, obj, ct, after) -> ChangeRecord:
    return ChangeRecord(
        actor=actor,
        request_id=current_request_id(),
        action=ChangeAction.IMPORT,
        content_type=ct,
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        after=after,
    )


def _disclose_duplicate(model, matches, actor, row_number) -> dict:
    info = dedupe.disclose(model, matches[:1], actor)
    item = info[0] if info else {"name": "?"}
    return {"row": row_number, **{k: v for k, v in item.items() if k != "last_contacted_at"}}


def _disclose_duplicates(model, pending: dict[int, tuple], actor, duplicates: list) -> None:
    """Fill the report's placeholders {index: (row number, first strong match)}: two queries for
    the whole chunk instead of two per duplicate row."""
    if not pending:
        return
    found = dedupe.disclose(model, [m for _n, m in pending.values()], actor)
    if len(found) != len(pending):  # a matched record vanished meanwhile: one by one
        found = [None] * len(pending)
    for (index, (number, match)), item in zip(pending.items(), found, strict=True):
        if item is None:
            duplicates[index] = _disclose_duplicate(model, [match], actor, number)
        else:
            kept = {k: v for k, v in item.items() if k != "last_contacted_at"}
            duplicates[index] = {"row": number, **kept}


# Companies ---------------------------------------------------------------------------------------
def _company_from_row(actor, row: dict, definitions=None) -> tuple[Company, list[str], dict]:
    company = Company(
        name=(row.get("name") or "").strip(),
        kind=_choice(row.get("kind", ""), CompanyKind.choices, _("type")) or CompanyKind.PROSPECT,
        legal_name=row.get("legal_name", ""),
        tax_number=row.get("tax_number", ""),
        registry_number=row.get("registry_number", ""),
        industry=_choice(row.get("industry", ""), Industry.choices, _("industry")),
        website=(row.get("website") or "").strip(),
        phone=row.get("phone", ""),
        email=row.get("email", ""),
        notes=row.get("notes", ""),
        source=Source.IMPORT,
        source_detail=(row.get("source_detail") or "")[:200],
    )
    if company.website and "://" not in company.website:
        company.website = "https://" + company.website
    if company.website:
        URLValidator()(company.website)
    if not company.name:
        raise ValidationError({"name": _("The name is required.")})
    company.custom = _custom("contacts.company", row, definitions)
    apply_defaults(company, actor)
    normalize_company(company)
    company.full_clean(exclude=SKIP_CLEAN, validate_unique=False, validate_constraints=False)
    address = {k: (row.get(k) or "").strip() for k in ("street", "city", "postal_code", "country")}
    return company, split_lines(row.get("tags", "")), address


def import_companies_chunk(
    *, actor, rows: list[tuple[int, dict]], on_duplicate: str, source_name: str
) -> ChunkResult:
    """Validate and write one chunk; the caller holds the transaction."""
    result = ChunkResult()
    parsed = []
    definitions = definitions_for("contacts.company")  # once per chunk, not per row
    for number, row in rows:
        try:
            company, tags, address = _company_from_row(actor, row, definitions)
        except ValidationError as exc:
            result.rejected.append({"row": number, "errors": _messages(exc, Company)})
            continue
        company.source_detail = company.source_detail or source_name[:200]
        parsed.append((number, company, tags, address))
    probes = [
        dedupe.Probe(
            name=c.name,
            tax_number=c.tax_number,
            emails=(c.email,) if c.email else (),
            phones=(c.phone,) if c.phone else (),
        )
        for _n, c, _t, _a in parsed
    ]
    matches = (
        dedupe.company_matches(probes, fuzzy=False)
        if on_duplicate != "create"
        else [[]] * len(parsed)
    )
    to_create, seen, pending = [], {}, {}
    for (number, company, tags, address), found in zip(parsed, matches, strict=True):
        strong = [m for m in found if m.is_strong or m.score == 100]
        key = company.tax_number or company.name_key
        if on_duplicate != "create" and (strong or key in seen):
            result.skipped += 1
            if strong:
                pending[len(result.duplicates)] = (number, strong[0])
                result.duplicates.append(None)
            else:
                result.duplicates.append(
                    {"row": number, "name": company.name, "same_as_row": seen[key]}
                )
            continue
        seen[key] = number
        to_create.append((company, tags, address))
    _disclose_duplicates(Company, pending, actor, result.duplicates)
    if not to_create:
        return result
    Company.objects.bulk_create([c for c, _t, _a in to_create], batch_size=500)
    tag_rows, addresses, changes = [], [], []
    ct = ContentType.objects.get_for_model(Company)
    through = Company.tags.through
    tag_cache: dict[str, object] = {}
    for company, tags, address in to_create:
        for tag in tags:
            if tag not in tag_cache:
                tag_cache[tag] = tags_from_names([tag])[0]
            tag_rows.append(through(company_id=company.pk, tag_id=tag_cache[tag].pk))
        if any(address.values()):
            addresses.append(CompanyAddress(company=company, **address))
        changes.append(
            _change_record(
                actor,
                company,
                ct,
                {
                    "name": company.name,
                    "kind": company.kind,
                    "tax_number": company.tax_number,
                    "email": company.email,
                    "phone": company.phone,
                    "source": company.source,
                    "source_detail": company.source_detail,
                    "tags": tags,
                },
            )
        )
    through.objects.bulk_create(tag_rows, batch_size=1000, ignore_conflicts=True)
    CompanyAddress.objects.bulk_create(addresses, batch_size=1000)
    ChangeRecord.objects.bulk_create(changes, batch_size=1000)
    result.created = len(to_create)
    return result


# People ------------------------------------------------------------------------------------------
def _split_full_name(text: str) -> tuple[str, str, str]:
    parts = text.split()
    if not parts:
        return "", "", ""
    if len(parts) == 3 and _cyrillic.search(text):
        return parts[1], parts[2], parts[0]  # Фамилия Имя Отчество
    if len(parts) == 1:
        return "", "", parts[0]
    return " ".join(parts[:-1]), "", parts[-1]


def _person_from_row(actor, row: dict, definitions=None):
    first, middle, last = (
        row.get(k, "").strip() for k in ("first_name", "middle_name", "last_name")
    )
    if not (first or last) and row.get("full_name"):
        first, middle, last = _split_full_name(row["full_name"])
    if not last:
        raise ValidationError({"last_name": _("The last name is required.")})
    errors: dict[str, list[str]] = {}
    emails, phones = [], []
    for raw in split_lines(row.get("emails", "")):
        try:
            emails.append(normalize_email(raw))
        except ValidationError as exc:
            errors.setdefault("emails", []).extend(exc.messages)
    for raw in (p.strip() for p in (row.get("phones", "") or "").replace(";", "\n").splitlines()):
        if not raw:
            continue
        try:
            phones.append(normalize_phone(raw))
        except ValidationError as exc:
            errors.setdefault("phones", []).extend(exc.messages)
    try:
        birthday = _date(row.get("birthday", ""))
    except ValidationError as exc:
        errors.setdefault("birthday", []).extend(exc.messages)
        birthday = None
    if errors:
        raise ValidationError(errors)
    person = Person(
        first_name=first,
        middle_name=middle,
        last_name=last,
        position=(row.get("position") or "").strip(),
        birthday=birthday,
        preferred_language=_choice(
            row.get("preferred_language", ""), Language.choices, _("language")
        ),
        notes=row.get("notes", ""),
        source=Source.IMPORT,
        source_detail=(row.get("source_detail") or "")[:200],
    )
    person.custom = _custom("contacts.person", row, definitions)
    apply_defaults(person, actor)
    emails, phones = list(dict.fromkeys(emails)), list(dict.fromkeys(phones))
    prepare_person(person, emails, phones)
    person.full_clean(exclude=SKIP_CLEAN, validate_unique=False, validate_constraints=False)
    return (
        person,
        emails,
        phones,
        (row.get("company") or "").strip(),
        split_lines(row.get("tags", "")),
    )


def _companies_by_name(actor, names: set[str]) -> dict[str, tuple[int, str]]:
    """{name key: (id, name)} of the visible company (the oldest of namesakes) for each name,
    created when none exists."""
    keys = {name_key(n): n for n in names if n}
    found: dict[str, tuple[int, str]] = {}
    visible = Company.objects.restrict(actor).filter(name_key__in=keys)
    for pk, key, name in visible.order_by("pk").values_list("pk", "name_key", "name"):
        found.setdefault(key, (pk, name))
    missing = [Company(name=keys[k][:200], source=Source.IMPORT) for k in keys if k not in found]
    for company in missing:
        apply_defaults(company, actor)
        normalize_company(company)
    if missing:
        Company.objects.bulk_create(missing)
        ct = ContentType.objects.get_for_model(Company)
        ChangeRecord.objects.bulk_create(
            [_change_record(actor, c, ct, {"name": c.name, "source": c.source}) for c in missing]
        )
        for company in missing:
            found[company.name_key] = (company.pk, company.name)
    return found


def import_people_chunk(
    *, actor, rows: list[tuple[int, dict]], on_duplicate: str, source_name: str
) -> ChunkResult:
    result = ChunkResult()
    parsed = []
    definitions = definitions_for("contacts.person")  # once per chunk, not per row
    for number, row in rows:
        try:
            person, emails, phones, company_name, tags = _person_from_row(actor, row, definitions)
        except ValidationError as exc:
            result.rejected.append({"row": number, "errors": _messages(exc, Person)})
            continue
        person.source_detail = person.source_detail or source_name[:200]
        parsed.append((number, person, emails, phones, company_name, tags))
    probes = [
        dedupe.Probe(
            name=f"{p.first_name} {p.last_name}", emails=tuple(e), phones=tuple(ph), is_person=True
        )
        for _n, p, e, ph, _c, _t in parsed
    ]
    matches = (
        dedupe.person_matches(probes, fuzzy=False, by_name=False)
        if on_duplicate != "create"
        else [[]] * len(parsed)
    )
    to_create, seen, pending = [], {}, {}
    for item, found in zip(parsed, matches, strict=True):
        number, person, emails, phones, company_name, tags = item
        strong = [m for m in found if m.is_strong]
        keys = [*emails, *phones] or [f"{person.name_key}|{name_key(company_name)}"]
        repeat = next((seen[k] for k in keys if k in seen), None)
        if on_duplicate != "create" and (strong or repeat):
            result.skipped += 1
            if strong:
                pending[len(result.duplicates)] = (number, strong[0])
                result.duplicates.append(None)
            else:
                result.duplicates.append(
                    {"row": number, "name": person.full_name, "same_as_row": repeat}
                )
            continue
        for k in keys:
            seen[k] = number
        to_create.append(item)
    _disclose_duplicates(Person, pending, actor, result.duplicates)
    if not to_create:
        return result
    companies = _companies_by_name(actor, {c for _n, _p, _e, _ph, c, _t in to_create})
    Person.objects.bulk_create([p for _n, p, *_rest in to_create], batch_size=500)
    ct = ContentType.objects.get_for_model(Person)
    through = Person.tags.through
    email_rows, phone_rows, jobs, tag_rows, changes = [], [], [], [], []
    tag_cache: dict[str, object] = {}
    for _number, person, emails, phones, company_name, tags in to_create:
        email_rows += [
            PersonEmail(person=person, email=e, is_primary=i == 0) for i, e in enumerate(emails)
        ]
        phone_rows += [
            PersonPhone(person=person, number=n, is_primary=i == 0) for i, n in enumerate(phones)
        ]
        company = companies.get(name_key(company_name)) if company_name else None
        if company is not None:
            jobs.append(Employment(person=person, company_id=company[0], position=person.position))
        for tag in tags:
            if tag not in tag_cache:
                tag_cache[tag] = tags_from_names([tag])[0]
            tag_rows.append(through(person_id=person.pk, tag_id=tag_cache[tag].pk))
        changes.append(
            _change_record(
                actor,
                person,
                ct,
                {
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "emails": emails,
                    "phones": phones,
                    "company": company[1] if company else None,
                    "source": person.source,
                    "source_detail": person.source_detail,
                    "tags": tags,
                },
            )
        )
    PersonEmail.objects.bulk_create(email_rows, batch_size=1000)
    PersonPhone.objects.bulk_create(phone_rows, batch_size=1000)
    Employment.objects.bulk_create(jobs, batch_size=1000)
    through.objects.bulk_create(tag_rows, batch_size=1000, ignore_conflicts=True)
    ChangeRecord.objects.bulk_create(changes, batch_size=1000)
    result.created = len(to_create)
    return result
