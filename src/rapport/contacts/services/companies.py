"""Company writes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from rapport.contacts.models import Company, CompanyAddress
from rapport.contacts.normalize import name_key, normalize_email, normalize_phone, search_text
from rapport.contacts.services.records import (
    apply_defaults,
    clean_custom,
    set_tags,
    validate_relations,
)
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer

ADDRESS_FIELDS = ("kind", "street", "city", "postal_code", "region", "country")


def _normalize(company: Company) -> None:
    errors = {}
    for field, fn in (("phone", normalize_phone), ("email", normalize_email)):
        try:
            setattr(company, field, fn(getattr(company, field)))
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    for field in ("name", "legal_name", "tax_number", "registry_number", "source_detail"):
        setattr(company, field, (getattr(company, field) or "").strip())
    company.tax_number = company.tax_number.upper().replace(" ", "")
    company.name_key = name_key(company.name)
    company.name_prefix = company.name_key[:4]
    company.search_text = search_text(
        company.name,
        company.legal_name,
        company.tax_number,
        company.email,
        company.phone,
        company.phone.lstrip("+"),
    )


def _set_addresses(company: Company, addresses: list[dict] | None) -> None:
    if addresses is None:
        return
    company.addresses.all().delete()
    rows = []
    for index, data in enumerate(addresses):
        unknown = set(data) - set(ADDRESS_FIELDS) - {"id"}
        if unknown:
            raise ValidationError({"addresses": f"#{index + 1}: {', '.join(sorted(unknown))}"})
        address = CompanyAddress(
            company=company, **{k: (v or "") for k, v in data.items() if k in ADDRESS_FIELDS}
        )
        address.country = address.country.upper()
        if not any(getattr(address, f) for f in ("street", "city", "postal_code", "region")):
            continue
        try:
            address.full_clean(exclude=["company"])
        except ValidationError as exc:
            raise ValidationError(
                {"addresses": [f"#{index + 1}: {m}" for m in exc.messages]}
            ) from exc
        rows.append(address)
    CompanyAddress.objects.bulk_create(rows)


def _tracked(company: Company) -> dict:
    data = snapshot(company)
    data["addresses"] = [str(a) for a in company.addresses.all()] if company.pk else []
    return data


def company_create(*, actor, tags=None, custom=None, addresses=None, **fields) -> Company:
    require_writer(actor)
    with transaction.atomic():
        company = Company(**fields)
        apply_defaults(company, actor)
        _normalize(company)
        clean_custom(company, custom, partial=False)
        company.full_clean(exclude=["tags"])
        validate_relations(company)
        company.save()
        set_tags(company, tags)
        _set_addresses(company, addresses)
        record_change(actor=actor, action=ChangeAction.CREATE, obj=company, after=_tracked(company))
        ensure_in_scope(actor, company)
        events.emit("company.created", id=company.pk)
    return company


def company_update(
    *, actor, company: Company, tags=None, custom=None, addresses=None, if_match=None, **fields
) -> Company:
    with transaction.atomic():
        company = lock_for_change(actor, company, if_match=if_match)
        before = _tracked(company)
        for key, value in fields.items():
            setattr(company, key, value)
        if "curator" in fields and "team" not in fields and company.curator_id:
            company.team_id = company.curator.team_id or company.team_id
        _normalize(company)
        clean_custom(company, custom, partial=True)
        company.full_clean(exclude=["tags"])
        validate_relations(company)
        company.save()
        set_tags(company, tags)
        _set_addresses(company, addresses)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=company,
            before=before,
            after=_tracked(company),
        )
        ensure_in_scope(actor, company)
        events.emit("company.updated", id=company.pk)
    return company


def company_delete(*, actor, company: Company, if_match=None) -> None:
    with transaction.atomic():
        company = lock_for_change(actor, company, if_match=if_match)
        record_change(
            actor=actor, action=ChangeAction.DELETE, obj=company, before=_tracked(company)
        )
        pk = company.pk
        try:
            with transaction.atomic():
                company.delete()
        except ProtectedError as exc:
            raise DomainError(
                _(
                    "This company has deals or documents, so it cannot be deleted. "
                    "Merge it into another company instead."
                ),
                code="protected",
            ) from exc
        events.emit("company.deleted", id=pk)
