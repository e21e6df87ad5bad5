"""A page of companies or people for the API list, read as values instead of model instances.

The list serializers (``CompanySerializer`` / ``PersonSerializer`` with ``many=True``) produce
exactly this when handed a queryset: the same keys, the same formats (DRF's own date and time
fields), the same order of related values. The difference is cost: instantiating ~600 models
and running ~40 serializer fields per record made the endpoint six times slower than a bare
50-row DRF view; here each relation is one ``values_list`` query for the whole page.
``contacts/tests/test_api_pages.py`` checks the two against each other.
"""

from __future__ import annotations

from collections import defaultdict

from rest_framework import serializers

from rapport.contacts.models import (
    Company,
    CompanyAddress,
    Consent,
    Employment,
    Person,
    PersonEmail,
    PersonPhone,
    full_name,
    needs_verification,
    stale_cutoff,
)
from rapport.contacts.selectors import tag_names_by_record

_datetime = serializers.DateTimeField()
_date = serializers.DateField()

COMMON = (
    "id",
    "curator_id",
    "team_id",
    "custom",
    "source",
    "source_detail",
    "verified_at",
    "last_contacted_at",
    "notes",
    "created_at",
    "updated_at",
)


def _grouped(queryset, key: str, *fields: str, flat: bool = False) -> dict[int, list]:
    out = defaultdict(list)
    if flat:
        for owner, value in queryset.values_list(key, *fields):
            out[owner].append(value)
    else:
        for row in queryset.values(key, *fields):
            out[row.pop(key)].append(row)
    return out


def _when(value):
    return _datetime.to_representation(value) if value is not None else None


def _common(row: dict, *, url: str, tags: list[str], cutoff) -> dict:
    verified = row["verified_at"]
    return {
        "id": row["id"],
        "url": url.format(row["id"]),
        "curator": row["curator_id"],
        "team": row["team_id"],
        "tags": tags,
        "custom_fields": row["custom"],
        "source": row["source"],
        "source_detail": row["source_detail"],
        "verified_at": _when(verified),
        "last_contacted_at": _when(row["last_contacted_at"]),
        "is_stale": needs_verification(verified, cutoff),
        "notes": row["notes"],
        "created_at": _when(row["created_at"]),
        "updated_at": _when(row["updated_at"]),
    }


def _rows(queryset, fields) -> list[dict]:
    return list(queryset.select_related(None).prefetch_related(None).values(*fields))


def people_page(queryset) -> list[dict]:
    fields = (
        "first_name",
        "middle_name",
        "last_name",
        "position",
        "birthday",
        "preferred_channel",
        "preferred_language",
    )
    rows = _rows(queryset, fields + COMMON)
    ids = [row["id"] for row in rows]
    tags = tag_names_by_record(Person, ids)
    by_person = {"person_id__in": ids}
    emails = _grouped(PersonEmail.objects.filter(**by_person), "person_id", "email", flat=True)
    phones = _grouped(PersonPhone.objects.filter(**by_person), "person_id", "number", flat=True)
    employments = _grouped(
        Employment.objects.filter(**by_person),
        "person_id",
        "id",
        "company_id",
        "company__name",
        "position",
        "is_primary",
        "is_current",
    )
    consents = _grouped(
        Consent.objects.filter(**by_person),
        "person_id",
        "channel",
        "is_granted",
        "recorded_at",
        "method",
        "text",
    )
    url = Person.url_pattern()
    cutoff = stale_cutoff()
    page = []
    for row in rows:
        pk = row["id"]
        page.append(
            {
                "first_name": row["first_name"],
                "middle_name": row["middle_name"],
                "last_name": row["last_name"],
                "full_name": full_name(row["first_name"], row["middle_name"], row["last_name"]),
                "position": row["position"],
                "birthday": _date.to_representation(row["birthday"]) if row["birthday"] else None,
                "preferred_channel": row["preferred_channel"],
                "preferred_language": row["preferred_language"],
                "emails": emails[pk],
                "phones": phones[pk],
                "employments": [
                    {
                        "id": e["id"],
                        "company": e["company_id"],
                        "company_name": e["company__name"],
                        "position": e["position"],
                        "is_primary": e["is_primary"],
                        "is_current": e["is_current"],
                    }
                    for e in employments[pk]
                ],
                "consents": [{**c, "recorded_at": _when(c["recorded_at"])} for c in consents[pk]],
                **_common(row, url=url, tags=tags[pk], cutoff=cutoff),
            }
        )
    return page


def companies_page(queryset) -> list[dict]:
    fields = (
        "kind",
        "name",
        "legal_name",
        "tax_number",
        "registry_number",
        "industry",
        "size",
        "territory_id",
        "branch_id",
        "website",
        "phone",
        "email",
    )
    rows = _rows(queryset, fields + COMMON)
    ids = [row["id"] for row in rows]
    tags = tag_names_by_record(Company, ids)
    addresses = _grouped(
        CompanyAddress.objects.filter(company_id__in=ids).order_by("pk"),
        "company_id",
        "kind",
        "street",
        "city",
        "postal_code",
        "region",
        "country",
    )
    url = Company.url_pattern()
    cutoff = stale_cutoff()
    page = []
    for row in rows:
        pk = row["id"]
        record = {name.removesuffix("_id"): row[name] for name in fields}
        page.append(
            {
                **record,
                "addresses": addresses[pk],
                **_common(row, url=url, tags=tags[pk], cutoff=cutoff),
            }
        )
    return page
