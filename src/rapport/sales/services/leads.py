"""Lead writes: create (by hand, API, import, web form), edit, assign, qualify, convert."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.accounts.models import User
from rapport.contacts import dedupe
from rapport.contacts.choices import CompanyKind, Source
from rapport.contacts.models import Company, Person
from rapport.contacts.normalize import normalize_email, normalize_phone
from rapport.core import events, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer
from rapport.sales.choices import DealContactRole, DisqualifyReason, LeadStatus, StageKind
from rapport.sales.models import Lead, LeadWebForm, Pipeline, Stage
from rapport.sales.services.distribution import distribute, notify_after_commit

# What a client may set on a lead; status and the conversion links follow the actions below.
# In the order the API shows them.
EDITABLE_ORDER = (
    "company_name",
    "first_name",
    "last_name",
    "position",
    "email",
    "phone",
    "website",
    "industry",
    "territory",
    "language",
    "message",
    "source",
    "source_detail",
    "campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "web_form",
    "owner",
    "team",
)
EDITABLE = frozenset(EDITABLE_ORDER)
TEXT_FIELDS = [
    "company_name",
    "first_name",
    "last_name",
    "position",
    "source_detail",
    "campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "website",
]
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError(
            _("Unknown lead fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )


def _prepare(lead: Lead) -> None:
    """Trim and normalise, then the rule every lead keeps: someone to talk to and a way to."""
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        setattr(lead, name, (getattr(lead, name) or "").strip())
    lead.message = (lead.message or "").strip()
    for name, normalize in (("email", normalize_email), ("phone", normalize_phone)):
        value = getattr(lead, name) or ""
        if "\x00" in value:
            continue  # reported by full_clean with the other NUL characters
        try:
            setattr(lead, name, normalize(value))
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    if not (lead.first_name or lead.last_name or lead.company_name):
        errors.setdefault("last_name", []).append(
            _("Give the name of the person or of the company.")
        )
    if not (lead.email or lead.phone) and "email" not in errors and "phone" not in errors:
        errors.setdefault("email", []).append(_("Give an e-mail address or a phone number."))
    try:
        lead.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in ("email", "phone") and name in errors:
                continue  # the normaliser already said it, in our words
            errors.setdefault(name, []).extend(messages)
    if lead.owner_id and not lead.owner.is_active:
        errors.setdefault("owner", []).append(_("Assign the lead to an active user."))
    if errors:
        raise ValidationError(errors)


def _assigned(lead: Lead, now) -> None:
    lead.assigned_at = now if lead.owner_id else None


def lead_create(*, actor, notify: bool = True, **fields) -> Lead:
    """A new lead. Without an owner the distribution rules decide who gets it (or which team's
    queue it waits in); with none matching it waits in the author's (or the web form's) team.

    ``actor`` is None for a lead from the public web form. A lead the rules hand to another
    team may be out of its author's sight afterwards: that is the point of the rules, so the
    scope check only applies to an owner or team the author chose."""
    if actor is not None:
        require_writer(actor)
    _check_fields(fields)
    with transaction.atomic():
        lead = Lead(**fields)
        chosen = lead.owner_id is not None or lead.team_id is not None
        if lead.owner_id and not lead.team_id:
            lead.team_id = lead.owner.team_id
        # Validate before distributing: a rejected lead must not move a round-robin pointer.
        _prepare(lead)
        if not lead.owner_id:
            rule = distribute(lead) if not lead.team_id else None
            if rule is None and not lead.team_id:
                if lead.web_form_id:
                    lead.team_id = lead.web_form.team_id
                elif actor is not None:
                    lead.team_id = actor.team_id
        _assigned(lead, timezone.now())
        lead.save()
        record_change(actor=actor, action=ChangeAction.CREATE, obj=lead, after=snapshot(lead))
        if actor is not None and chosen:
            ensure_in_scope(actor, lead, scoping.VIEW)
        events.emit("lead.created", id=lead.pk)
        if notify and lead.owner_id:
            notify_after_commit([lead.pk], actor=actor)
    return lead


def lead_update(*, actor, lead: Lead, if_match=None, **fields) -> Lead:
    _check_fields(fields)
    with transaction.atomic():
        lead = lock_for_change(actor, lead, if_match=if_match)
        before = snapshot(lead)
        old_owner = lead.owner_id
        for key, value in fields.items():
            setattr(lead, key, value)
        if "owner" in fields and "team" not in fields and lead.owner_id and lead.owner.team_id:
            lead.team_id = lead.owner.team_id
        _prepare(lead)
        if lead.owner_id != old_owner:
            _assigned(lead, timezone.now())
        lead.save()
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=lead, before=before, after=snapshot(lead)
        )
        ensure_in_scope(actor, lead)
        events.emit("lead.updated", id=lead.pk)
        if lead.owner_id and lead.owner_id != old_owner:
            notify_after_commit([lead.pk], actor=actor)
    return lead


def lead_delete(*, actor, lead: Lead, if_match=None) -> None:
    with transaction.atomic():
        lead = lock_for_change(actor, lead, if_match=if_match)
        record_change(actor=actor, action=ChangeAction.DELETE, obj=lead, before=snapshot(lead))
        pk = lead.pk
        lead.delete()
        events.emit("lead.deleted", id=pk)


def may_assign(user) -> bool:
    """Heads of department, directors and administrators hand out leads from the queue."""
    return scoping.may_write(user) and (
        user.is_head_of_department or user.sees_everything or user.is_administrator
    )


def lead_assign(*, actor, lead: Lead, user: User, if_match=None) -> Lead:
    """A head (or director) gives a lead to a colleague; the lead moves to the colleague's team."""
    if not may_assign(actor):
        raise NotFound()
    with transaction.atomic():
        lead = lock_for_change(actor, lead, if_match=if_match)
        if lead.status == LeadStatus.CONVERTED:
            raise DomainError(_("This lead is already converted."), code="converted")
        if user is None or not user.is_active:
            raise ValidationError({"user": _("Assign the lead to an active user.")})
        if not actor.sees_everything and user.pk not in actor.department_user_ids:
            raise ValidationError({"user": _("Choose a member of your department.")})
        before = snapshot(lead)
        lead.owner = user
        lead.team_id = user.team_id or lead.team_id
        lead.assigned_at = timezone.now()
        lead.save()
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=lead, before=before, after=snapshot(lead)
        )
        ensure_in_scope(actor, lead)
        events.emit("lead.assigned", id=lead.pk, user=user.pk)
        notify_after_commit([lead.pk], actor=actor)
    return lead


def _set_status(actor, lead: Lead, status: str, *, if_match=None, **extra) -> Lead:
    with transaction.atomic():
        lead = lock_for_change(actor, lead, if_match=if_match)
        if lead.status == LeadStatus.CONVERTED:
            raise DomainError(_("This lead is already converted."), code="converted")
        before = snapshot(lead)
        lead.status = status
        for key, value in extra.items():
            setattr(lead, key, value)
        lead.full_clean()
        lead.save()
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=lead, before=before, after=snapshot(lead)
        )
        events.emit(f"lead.{status}", id=lead.pk)
    return lead


def lead_start_work(*, actor, lead: Lead, if_match=None) -> Lead:
    return _set_status(actor, lead, LeadStatus.WORKING, if_match=if_match)


def lead_qualify(*, actor, lead: Lead, if_match=None) -> Lead:
    return _set_status(
        actor,
        lead,
        LeadStatus.QUALIFIED,
        if_match=if_match,
        disqualify_reason="",
        disqualify_note="",
    )


def lead_disqualify(*, actor, lead: Lead, reason: str, note: str = "", if_match=None) -> Lead:
    if reason not in DisqualifyReason.values:
        raise ValidationError({"reason": _("Choose why the lead is disqualified.")})
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": _("Text must not contain NUL characters.")})
    return _set_status(
        actor,
        lead,
        LeadStatus.DISQUALIFIED,
        if_match=if_match,
        disqualify_reason=reason,
        disqualify_note=note[:500],
    )


# Conversion -----------------------------------------------------------------------------------
class DuplicatesFound(DomainError):
    """The lead's company or person seems to exist already: link to it instead of a copy."""

    code = "duplicates"

    def __init__(self, *, companies: list[dict], people: list[dict], blocking: bool):
        self.companies, self.people, self.blocking = companies, people, blocking
        if blocking:
            message = gettext_lazy(
                "This customer is already in the base (same e-mail, phone or tax number): link "
                "the lead to the existing record instead of creating a copy."
            )
        else:
            message = gettext_lazy(
                "Similar customers already exist. Link the lead to one of them, or confirm that "
                "this is a new customer."
            )
        super().__init__(message)


@dataclass
class ConversionMatches:
    companies: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    strong_company: bool = False
    strong_person: bool = False


def conversion_matches(lead: Lead, user) -> ConversionMatches:
    """Customers that look like the lead's company and person, disclosed by the user's scope."""
    found = ConversionMatches()
    if lead.company_name:
        probe = dedupe.company_probe(
            {"name": lead.company_name, "email": lead.email, "phone": lead.phone}
        )
        matches = dedupe.company_matches([probe])[0]
        found.strong_company = any(m.is_strong for m in matches)
        found.companies = dedupe.disclose(Company, matches, user)
    if lead.first_name or lead.last_name:
        probe = dedupe.person_probe(
            lead.first_name, lead.last_name, [lead.email] if lead.email else [], [lead.phone]
        )
        matches = dedupe.person_matches([probe])[0]
        found.strong_person = any(m.is_strong for m in matches)
        found.people = dedupe.disclose(Person, matches, user)
    return found


def _visible(actor, model, obj):
    if obj is None:
        return None
    if not model.objects.restrict(actor).filter(pk=obj.pk).exists():
        field_name = "company" if model is Company else "person"
        raise ValidationError(
            {field_name: _("Choose a record from the list; that one is not available.")}
        )
    return obj


def lead_convert(
    *,
    actor,
    lead: Lead,
    pipeline: Pipeline,
    stage: Stage | None = None,
    amount: Decimal | None = None,
    currency: str = "",
    deal_name: str = "",
    expected_close_date=None,
    company: Company | None = None,
    person: Person | None = None,
    create_company: bool = True,
    create_person: bool = True,
    confirm_new: bool = False,
    if_match=None,
):
    """Turn a lead into a customer and a deal, in one transaction.

    The company and the person are the given existing records, or new ones made from the lead.
    Before a new one is made the base is searched (``contacts.dedupe``): a match by e-mail,
    phone or tax number stops the conversion until the user links the existing record; a
    match by a similar name only until the user confirms (``confirm_new``)."""
    from rapport.sales.services.deals import deal_contact_add, deal_create

    with transaction.atomic():
        lead = lock_for_change(actor, lead, if_match=if_match)
        if lead.status == LeadStatus.CONVERTED:
            raise DomainError(_("This lead is already converted."), code="converted")
        if lead.status == LeadStatus.DISQUALIFIED:
            raise DomainError(
                _("A disqualified lead cannot be converted; qualify it first."), code="disqualified"
            )
        errors = {}
        if pipeline is None or not pipeline.is_active:
            errors["pipeline"] = [_("Choose an active pipeline.")]
        elif stage is not None and (
            stage.pipeline_id != pipeline.pk or stage.kind != StageKind.OPEN
        ):
            errors["stage"] = [_("Choose an open stage of the chosen pipeline.")]
        if amount is not None and amount < 0:
            errors["amount"] = [_("The amount cannot be negative.")]
        if errors:
            raise ValidationError(errors)
        company = _visible(actor, Company, company)
        person = _visible(actor, Person, person)
        make_company = company is None and create_company and bool(lead.company_name)
        make_person = person is None and create_person and bool(lead.first_name or lead.last_name)
        if not (company or person or make_company or make_person):
            raise ValidationError(
                {"company": _("Choose the customer: link a company or a person, or create one.")}
            )
        if make_company or make_person:
            found = conversion_matches(lead, actor)
            companies = found.companies if make_company else []
            people = found.people if make_person else []
            strong = (make_company and found.strong_company) or (
                make_person and found.strong_person
            )
            if (companies or people) and (strong or not confirm_new):
                raise DuplicatesFound(companies=companies, people=people, blocking=bool(strong))
        owner = lead.owner if lead.owner_id else actor
        common = {"source": lead.source or Source.OTHER, "source_detail": lead.campaign[:200]}
        if owner is not None and not owner.sees_everything:
            common["curator"] = owner
        if make_company:
            from rapport.contacts.services import company_create

            company = company_create(
                actor=actor,
                name=lead.company_name,
                kind=CompanyKind.PROSPECT,
                email=lead.email,
                phone=lead.phone,
                website=lead.website,
                industry=lead.industry,
                territory=lead.territory,
                **common,
            )
        if make_person:
            from rapport.contacts.services import person_create

            person = person_create(
                actor=actor,
                # A person needs a last name; a lead may know only one name.
                first_name=lead.first_name if lead.last_name else "",
                last_name=lead.last_name or lead.first_name,
                preferred_language=lead.language,
                position=lead.position,
                emails=[lead.email] if lead.email else [],
                phones=[lead.phone] if lead.phone else [],
                companies=[(company, lead.position)] if company else [],
                **common,
            )
        deal_fields = {
            "name": (deal_name or "").strip() or str(company or person)[:200],
            "pipeline": pipeline,
            "company": company,
            "person": person,
            "amount": amount if amount is not None else Decimal(0),
            "source": lead.source,
            "campaign": lead.campaign,
            "lead": lead,
            "expected_close_date": expected_close_date,
        }
        if stage is not None:
            deal_fields["stage"] = stage
        if currency:
            deal_fields["currency"] = currency
        if lead.owner_id:
            deal_fields["owner"] = lead.owner
            deal_fields["team"] = lead.team
        deal = deal_create(actor=actor, **deal_fields)
        if person is not None:
            # The person who asked is the deal's first contact on the customer's side.
            deal_contact_add(
                actor=actor, deal=deal, person=person, role=DealContactRole.DECISION_MAKER
            )
        before = snapshot(lead)
        lead.status = LeadStatus.CONVERTED
        lead.converted_at = timezone.now()
        lead.company, lead.person = company, person
        lead.save()
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=lead, before=before, after=snapshot(lead)
        )
        events.emit("lead.converted", id=lead.pk, deal=deal.pk)
    return lead, deal


# Intake from outside: the public form and files -----------------------------------------------
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def lead_submit_web_form(*, form: LeadWebForm, data: dict, language: str = "") -> Lead:
    """A visitor sent the public form: a lead with source "web form", the form's campaign unless
    the page's UTM campaign says otherwise, given out by the distribution rules."""
    fields = {k: v for k, v in data.items() if k in EDITABLE - {"owner", "team", "web_form"}}
    utm = {k: (data.get(k) or "")[:100] for k in UTM_FIELDS}
    fields.update(utm)
    fields["campaign"] = form.campaign or utm["utm_campaign"]
    fields["source"] = Source.WEB_FORM
    fields["source_detail"] = form.name[:200]
    languages = dict(Lead._meta.get_field("language").choices)
    fields["language"] = language if language in languages else ""
    return lead_create(actor=None, web_form=form, **fields)


IMPORT_MAX_ROWS = 5000


def lead_validate(**fields) -> None:
    """The checks of ``lead_create`` without writing anything (an import checks every row of a
    file before it writes the first one). Raises ValidationError."""
    _check_fields(fields)
    _prepare(Lead(**fields))


@dataclass
class ImportOutcome:
    created: list[Lead] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Row 3: e-mail: …"


def lead_import(*, actor, rows: list[dict], campaign: str = "") -> ImportOutcome:
    """Create many leads at once in one transaction, all or nothing: with any row rejected
    nothing is written and every rejected row is reported. One e-mail per assignee for the whole
    file. For small batches (the demo); files from users go through the background job of
    ``sales.services.lead_imports``."""
    require_writer(actor)
    outcome = ImportOutcome()
    if len(rows) > IMPORT_MAX_ROWS:
        outcome.errors.append(
            _("A file may hold at most %(count)d leads; split it.") % {"count": IMPORT_MAX_ROWS}
        )
        return outcome
    if not rows:
        outcome.errors.append(_("The file holds no leads."))
        return outcome
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):  # row 1 is the header
                values = {k: v for k, v in row.items() if k in EDITABLE and v not in (None, "")}
                values.setdefault("source", Source.IMPORT)
                if campaign and not values.get("campaign"):
                    values["campaign"] = campaign
                try:
                    with transaction.atomic():
                        outcome.created.append(lead_create(actor=actor, notify=False, **values))
                except (ValidationError, DomainError) as exc:
                    outcome.errors.append(_describe_row_error(number, exc))
            if outcome.errors:
                raise _Rollback
            notify_after_commit([lead.pk for lead in outcome.created], actor=actor)
    except _Rollback:
        outcome.created = []
    return outcome


class _Rollback(Exception):
    pass


def _describe_row_error(number: int, exc) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = (
                str(Lead._meta.get_field(name).verbose_name)
                if name in {f.name for f in Lead._meta.fields}
                else name
            )
            parts.append(f"{label}: {' '.join(errors)}")
        text = "; ".join(parts)
    else:
        text = " ".join(getattr(exc, "messages", [str(getattr(exc, "message", exc))]))
    return _("Row %(number)d: %(errors)s") % {"number": number, "errors": text}
