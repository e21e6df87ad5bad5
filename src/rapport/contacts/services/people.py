"""Person writes: the person, their e-mails and phones, roles at companies, consents."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.contacts.models import Company, Consent, Employment, Person, PersonEmail, PersonPhone
from rapport.contacts.normalize import name_key, normalize_email, normalize_phone, search_text
from rapport.contacts.services.records import (
    apply_defaults,
    clean_custom,
    set_tags,
    validate_relations,
)
from rapport.core import events
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer

MAX_CONTACT_POINTS = 20


def _clean_points(values, normalize, field: str, too_many) -> list[str] | None:
    """Normalise a list of e-mails or phones: every bad value reported, duplicates dropped."""
    if values is None:
        return None
    result, errors = [], []
    for value in values:
        try:
            point = normalize(str(value))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if point and point not in result:
            result.append(point)
    if errors:
        raise ValidationError({field: errors})
    if len(result) > MAX_CONTACT_POINTS:
        raise ValidationError({field: too_many})
    return result


def clean_emails(values: Iterable[str] | None) -> list[str] | None:
    return _clean_points(
        values, normalize_email, "emails", _("At most 20 e-mail addresses per person.")
    )


def clean_phones(values: Iterable[str] | None) -> list[str] | None:
    return _clean_points(
        values, normalize_phone, "phones", _("At most 20 phone numbers per person.")
    )


def _prepare(person: Person, emails: list[str], phones: list[str]) -> None:
    for field in ("first_name", "middle_name", "last_name", "position", "source_detail"):
        setattr(person, field, (getattr(person, field) or "").strip())
    person.email = emails[0] if emails else ""
    person.phone = phones[0] if phones else ""
    person.name_key = name_key(f"{person.first_name} {person.last_name}", drop_legal_forms=False)
    person.name_prefix = person.name_key[:4]
    person.birthday_md = (
        person.birthday.month * 100 + person.birthday.day if person.birthday else None
    )
    person.search_text = search_text(
        f"{person.first_name} {person.middle_name} {person.last_name}".replace("  ", " "),
        f"{person.last_name} {person.first_name}",
        *emails,
        *phones,
        *(p.lstrip("+") for p in phones),
    )


def _write_contact_points(person: Person, emails: list[str] | None, phones: list[str] | None):
    if emails is not None:
        person.emails.exclude(email__in=emails).delete()
        have = set(person.emails.values_list("email", flat=True))
        PersonEmail.objects.bulk_create(
            [PersonEmail(person=person, email=e) for e in emails if e not in have]
        )
        person.emails.update(is_primary=False)
        if emails:
            person.emails.filter(email=emails[0]).update(is_primary=True)
    if phones is not None:
        person.phones.exclude(number__in=phones).delete()
        have = set(person.phones.values_list("number", flat=True))
        PersonPhone.objects.bulk_create(
            [PersonPhone(person=person, number=n) for n in phones if n not in have]
        )
        person.phones.update(is_primary=False)
        if phones:
            person.phones.filter(number=phones[0]).update(is_primary=True)


def _tracked(person: Person) -> dict:
    data = snapshot(person)
    if person.pk:
        data["emails"] = list(person.emails.values_list("email", flat=True))
        data["phones"] = list(person.phones.values_list("number", flat=True))
    return data


def _check_companies_visible(actor, companies: Iterable[Company]) -> None:
    ids = [c.pk for c in companies]
    visible = set(Company.objects.restrict(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - visible:
        raise ValidationError({"companies": _("Choose companies you can see.")})


def person_create(
    *,
    actor,
    emails: Iterable[str] | None = None,
    phones: Iterable[str] | None = None,
    companies: Iterable[tuple[Company, str]] | None = None,
    tags=None,
    custom=None,
    **fields,
) -> Person:
    require_writer(actor)
    emails, phones = clean_emails(emails or []), clean_phones(phones or [])
    companies = list(companies or [])
    with transaction.atomic():
        person = Person(**fields)
        apply_defaults(person, actor)
        _prepare(person, emails, phones)
        clean_custom(person, custom, partial=False)
        person.full_clean(exclude=["tags"])
        validate_relations(person)
        person.save()
        _write_contact_points(person, emails, phones)
        set_tags(person, tags)
        if companies:
            _check_companies_visible(actor, [c for c, _pos in companies])
            Employment.objects.bulk_create(
                [
                    Employment(
                        person=person, company=c, position=pos or person.position, is_primary=i == 0
                    )
                    for i, (c, pos) in enumerate(companies)
                ]
            )
        primary_company = companies[0][0] if companies else None
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=person,
            after=_tracked(person),
            parent=primary_company,
        )
        ensure_in_scope(actor, person)
        events.emit("person.created", id=person.pk)
    return person


def person_update(
    *,
    actor,
    person: Person,
    emails: Iterable[str] | None = None,
    phones: Iterable[str] | None = None,
    tags=None,
    custom=None,
    if_match=None,
    **fields,
) -> Person:
    emails, phones = clean_emails(emails), clean_phones(phones)
    with transaction.atomic():
        person = lock_for_change(actor, person, if_match=if_match)
        before = _tracked(person)
        for key, value in fields.items():
            setattr(person, key, value)
        if "curator" in fields and "team" not in fields and person.curator_id:
            person.team_id = person.curator.team_id or person.team_id
        current_emails = list(person.emails.values_list("email", flat=True))
        current_phones = list(person.phones.values_list("number", flat=True))
        _prepare(
            person,
            emails if emails is not None else current_emails,
            phones if phones is not None else current_phones,
        )
        clean_custom(person, custom, partial=True)
        person.full_clean(exclude=["tags"])
        validate_relations(person)
        person.save()
        _write_contact_points(person, emails, phones)
        set_tags(person, tags)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=person,
            before=before,
            after=_tracked(person),
        )
        ensure_in_scope(actor, person)
        events.emit("person.updated", id=person.pk)
    return person


def person_delete(*, actor, person: Person, if_match=None) -> None:
    with transaction.atomic():
        person = lock_for_change(actor, person, if_match=if_match)
        record_change(actor=actor, action=ChangeAction.DELETE, obj=person, before=_tracked(person))
        pk = person.pk
        try:
            with transaction.atomic():
                person.delete()
        except ProtectedError as exc:
            raise DomainError(
                _(
                    "This person takes part in deals or documents, so they cannot be "
                    "deleted. Merge them into another person instead."
                ),
                code="protected",
            ) from exc
        events.emit("person.deleted", id=pk)


def employment_set(
    *, actor, person: Person, company: Company, position: str = "", is_primary: bool = False
) -> Employment:
    """Add or change the person's role at a company (both must be in the actor's scope)."""
    with transaction.atomic():
        person = lock_for_change(actor, person)
        if not Company.objects.restrict(actor).filter(pk=company.pk).exists():
            raise NotFound()
        employment, created = Employment.objects.get_or_create(
            person=person, company=company, defaults={"position": position}
        )
        before = None if created else snapshot(employment, ["position", "is_primary"])
        employment.position = (position or "").strip()
        if is_primary:
            person.employments.exclude(pk=employment.pk).update(is_primary=False)
        employment.is_primary = (
            is_primary
            or not person.employments.exclude(pk=employment.pk).filter(is_primary=True).exists()
        )
        employment.full_clean()
        employment.save()
        record_change(
            actor=actor,
            action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
            obj=employment,
            before=before,
            after=snapshot(employment, ["position", "is_primary"]),
            parent=person,
        )
    return employment


def employment_remove(*, actor, employment: Employment) -> None:
    with transaction.atomic():
        person = lock_for_change(actor, employment.person)
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=employment,
            before=snapshot(employment, ["company", "position"]),
            parent=person,
        )
        employment.delete()


def consent_set(
    *, actor, person: Person, channel: str, is_granted: bool, method: str, text: str = ""
) -> Consent:
    with transaction.atomic():
        person = lock_for_change(actor, person)
        consent = Consent.objects.filter(person=person, channel=channel).first()
        before = snapshot(consent, ["is_granted", "method", "text"]) if consent else None
        consent = consent or Consent(person=person, channel=channel)
        consent.is_granted = bool(is_granted)
        consent.method = method
        consent.text = (text or "").strip()
        consent.recorded_at = timezone.now()
        consent.full_clean()
        consent.save()
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
            obj=consent,
            before=before,
            after=snapshot(consent, ["is_granted", "method", "text"]),
            parent=person,
        )
        events.emit("person.consent_changed", id=person.pk, channel=channel, granted=is_granted)
    return consent
