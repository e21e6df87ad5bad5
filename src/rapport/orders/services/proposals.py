"""Proposal writes: create on a deal, header and lines, versions, discount approval, send, decide.

Every write locks the proposal, checks the revision the caller edited (a stale one is refused),
recomputes the totals from the lines, bumps ``revision`` and records the change."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Role
from rapport.catalog.models import Product
from rapport.catalog.pricing import (
    CurrencyMismatch,
    NoPrice,
    best_discount_rule,
    customer_group_id,
    discount_limit_for,
    document_totals,
    line_amounts,
    price_for,
)
from rapport.contacts.choices import ConsentChannel
from rapport.contacts.models import Consent, Person
from rapport.core import events, scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, NotFound, StaleWrite, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.money import ZERO
from rapport.core.services import ensure_in_scope, lock_for_change, require_writer
from rapport.orders.choices import (
    PROPOSAL_MOVES,
    ApprovalStatus,
    DocumentKind,
    DocumentLanguage,
    ProposalStatus,
)
from rapport.orders.models import Proposal, ProposalLine, SellerDetails
from rapport.orders.numbering import allocate_number
from rapport.orders.pdf import render_pdf

logger = logging.getLogger(__name__)

HEADER_FIELDS = (
    "title",
    "person",
    "language",
    "valid_until",
    "price_list",
    "introduction",
    "terms",
    "notes",
)
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount_percent")
COPIED_LINE_FIELDS = (
    "position",
    "product_id",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "cost_price",
    "gross_amount",
    "net_amount",
    "tax_amount",
)
COUNTRY_LANGUAGES = {"LV": "lv", "UA": "uk", "RU": "ru", "BY": "ru", "KZ": "ru"}
HUNDRED = Decimal(100)


def stale_error() -> StaleWrite:
    return StaleWrite(
        _("Someone else changed this proposal after you opened it. Reload it and try again.")
    )


# Reading helpers --------------------------------------------------------------------------------
def language_for(*, company=None, person=None) -> str:
    """The customer's language: the person's preference, else the company's country, else
    English."""
    languages = set(DocumentLanguage.values)
    if person is not None and person.preferred_language in languages:
        return person.preferred_language
    if company is not None:
        countries = company.addresses.exclude(country="").values_list("country", flat=True)
        for country in countries:
            if COUNTRY_LANGUAGES.get(country.upper()):
                return COUNTRY_LANGUAGES[country.upper()]
    return DocumentLanguage.EN


def recipients(proposal: Proposal, actor=None) -> list[Person]:
    """The deal's people on the customer's side who have an e-mail (the proposal's person and
    its client people too), visible to ``actor`` when given."""
    deal = proposal.deal
    ids = set(deal.contacts.values_list("person_id", flat=True))
    ids |= set(proposal.client_people.values_list("pk", flat=True)) if proposal.pk else set()
    ids |= {pk for pk in (deal.person_id, proposal.person_id) if pk}
    people = Person.objects.filter(pk__in=ids).exclude(email="")
    if actor is not None:
        people = people.restrict(actor)
    return list(people.order_by("last_name", "first_name", "pk"))


def email_consent_withdrawn(person: Person) -> bool:
    return Consent.objects.filter(
        person=person, channel=ConsentChannel.EMAIL, is_granted=False
    ).exists()


def may_approve_discount(user, proposal: Proposal) -> bool:
    """A director or administrator, or a head of the department of the deal's team."""
    if not scoping.may_write(user):
        return False
    if user.is_administrator or user.role == Role.DIRECTOR:
        return True
    if not user.is_head_of_department:
        return False
    team = proposal.deal.team if proposal.deal.team_id else proposal.team
    return bool(team and team.department_id == user.department_id_for_scope)


def _auto_discount(proposal: Proposal, line: ProposalLine, group_id) -> Decimal:
    if line.product_id is None:
        return ZERO
    rule = best_discount_rule(product=line.product, group_id=group_id, quantity=line.quantity)
    return rule.percent if rule else ZERO


def _needs_approval(line: ProposalLine, limit: Decimal, auto: Decimal) -> bool:
    """A manual discount (above what the rules give) beyond the writer's limit."""
    return line.discount_percent > max(limit, auto)


def _refresh_approval(proposal: Proposal, actor, touched: ProposalLine | None = None) -> None:
    limit = discount_limit_for(actor)
    group_id = customer_group_id(proposal.company)
    if touched is not None and _needs_approval(
        touched, limit, _auto_discount(proposal, touched, group_id)
    ):
        proposal.discount_approval = ApprovalStatus.PENDING
        proposal.discount_approved_by = None
        return
    if proposal.discount_approval in (ApprovalStatus.PENDING, ApprovalStatus.REFUSED):
        lines = proposal.lines.select_related("product")
        if not any(
            _needs_approval(ln, limit, _auto_discount(proposal, ln, group_id)) for ln in lines
        ):
            proposal.discount_approval = ApprovalStatus.NOT_NEEDED
            proposal.discount_approved_by = None


# Locking, moves and totals ----------------------------------------------------------------------
def _check_revision(proposal: Proposal, revision) -> None:
    if revision in (None, ""):
        return
    try:
        expected = int(revision)
    except (TypeError, ValueError):
        raise ValidationError({"revision": _("The revision must be a whole number.")}) from None
    if expected != proposal.revision:
        raise stale_error()


def _lock(actor, proposal, *, revision=None, if_match=None, draft=True) -> Proposal:
    try:
        fresh = lock_for_change(actor, proposal, if_match=if_match)
    except StaleWrite:
        raise stale_error() from None
    _check_revision(fresh, revision)
    if draft and fresh.status != ProposalStatus.DRAFT:
        raise DomainError(
            _(
                "This proposal is %(status)s and can no longer be changed. Make a new version "
                "of it instead."
            )
            % {"status": fresh.get_status_display()},
            code="not_draft",
        )
    return fresh


def _move(proposal: Proposal, target: str) -> None:
    if target in PROPOSAL_MOVES.get(proposal.status, set()):
        return
    if proposal.status == ProposalStatus.ACCEPTED and target == ProposalStatus.ACCEPTED:
        raise DomainError(_("This proposal has already been accepted."), code="already_accepted")
    raise DomainError(
        _("A proposal that is %(status)s cannot become %(target)s.")
        % {"status": proposal.get_status_display(), "target": ProposalStatus(target).label},
        code="invalid_move",
    )


def _require_ready(proposal: Proposal) -> None:
    """What sending and accepting need: lines, and no discount waiting for approval."""
    if proposal.discount_approval == ApprovalStatus.PENDING:
        raise DomainError(
            _("A discount on this proposal is waiting for a head's approval."),
            code="approval_pending",
        )
    if proposal.discount_approval == ApprovalStatus.REFUSED:
        raise DomainError(
            _("The discount on this proposal was refused: lower it or ask again."),
            code="approval_refused",
        )
    if not proposal.lines.exists():
        raise DomainError(_("The proposal has no lines."), code="no_lines")


def _save(proposal: Proposal, *, totals: bool = True) -> None:
    if totals:
        for name, value in document_totals(proposal.lines.all()).items():
            setattr(proposal, name, value)
    proposal.revision += 1
    proposal.full_clean(exclude=["client_people", "our_people"])
    proposal.save()


def _tracked(proposal: Proposal) -> dict:
    data = snapshot(proposal)
    data["revision"] = proposal.revision
    return data


def _line_tracked(line: ProposalLine) -> dict:
    return snapshot(
        line,
        [
            "product",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "net_amount",
        ],
    )


# Header -----------------------------------------------------------------------------------------
def _validate_header(actor, proposal: Proposal) -> None:
    errors = {}
    if proposal.price_list_id and proposal.price_list.currency != proposal.currency:
        errors["price_list"] = _(
            "The price list “%(list)s” is in %(list_currency)s, but the proposal is in "
            "%(currency)s."
        ) % {
            "list": proposal.price_list.name,
            "list_currency": proposal.price_list.currency,
            "currency": proposal.currency,
        }
    if proposal.person_id and not (
        Person.objects.restrict(actor).filter(pk=proposal.person_id).exists()
    ):
        errors["person"] = _("Choose a person you may see.")
    if errors:
        raise ValidationError(errors)


def _set_people(proposal: Proposal, actor, client_people, our_people) -> None:
    if client_people is not None:
        ids = [getattr(p, "pk", p) for p in client_people]
        visible = set(
            Person.objects.restrict(actor).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if len(visible) != len(set(ids)):
            raise ValidationError({"client_people": _("Choose people you may see.")})
        proposal.client_people.set(visible)
    if our_people is not None:
        proposal.our_people.set(our_people)


def proposal_create(
    *, actor, deal, title: str = "", client_people=None, our_people=None, **fields
) -> Proposal:
    """A draft proposal on ``deal``: its number, the deal's customer, currency, owner and team,
    the customer's language and the default validity."""
    from rapport.sales.models import Deal

    require_writer(actor)
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if not Deal.objects.restrict(actor, scoping.CHANGE).filter(pk=deal.pk).exists():
        raise NotFound()
    with transaction.atomic():
        person = fields.pop("person", None) or deal.person
        proposal = Proposal(
            deal=deal,
            title=(title or "").strip() or deal.name,
            company=deal.company,
            person=person,
            currency=deal.currency,
            owner=deal.owner,
            team=deal.team,
            language=language_for(company=deal.company, person=person),
            valid_until=timezone.localdate()
            + datetime.timedelta(days=SellerDetails.get().proposal_valid_days),
        )
        for key, value in fields.items():
            if value is not None:
                setattr(proposal, key, value)
        proposal.revision = 0  # _save makes it 1
        _validate_header(actor, proposal)
        proposal.number = allocate_number(DocumentKind.PROPOSAL)
        _save(proposal, totals=False)
        _set_people(proposal, actor, client_people, our_people)
        record_change(
            actor=actor, action=ChangeAction.CREATE, obj=proposal, after=_tracked(proposal)
        )
        ensure_in_scope(actor, proposal)
        events.emit("proposal.created", id=proposal.pk, deal=deal.pk)
    return proposal


def proposal_update(
    *,
    actor,
    proposal: Proposal,
    revision=None,
    if_match=None,
    client_people=None,
    our_people=None,
    **fields,
) -> Proposal:
    """Change the header of a draft."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match)
        before = _tracked(proposal)
        for key, value in fields.items():
            setattr(proposal, key, value)
        if isinstance(proposal.title, str):
            proposal.title = proposal.title.strip()
        _validate_header(actor, proposal)
        _save(proposal)
        _set_people(proposal, actor, client_people, our_people)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=proposal,
            before=before,
            after=_tracked(proposal),
        )
        ensure_in_scope(actor, proposal)
        events.emit("proposal.updated", id=proposal.pk)
    return proposal


def proposal_delete(*, actor, proposal: Proposal, revision=None, if_match=None) -> None:
    """Delete a draft (anything sent stays, for the record)."""
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match)
        record_change(
            actor=actor, action=ChangeAction.DELETE, obj=proposal, before=_tracked(proposal)
        )
        pk = proposal.pk
        proposal.delete()
        events.emit("proposal.deleted", id=pk)


# Lines ------------------------------------------------------------------------------------------
def _decimal(value, field: str, default=None) -> Decimal | None:
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None


def _validate_line(line: ProposalLine) -> None:
    errors = {}
    if line.quantity is None or line.quantity <= 0:
        errors["quantity"] = _("The quantity must be greater than zero.")
    if line.discount_percent is None or not ZERO <= line.discount_percent <= HUNDRED:
        errors["discount_percent"] = _("A discount is between 0 and 100 %.")
    if line.unit_price is None or line.unit_price < 0:
        errors["unit_price"] = _("The price cannot be negative.")
    if not (line.description or "").strip():
        errors["description"] = _("Choose a product or describe the line.")
    if errors:
        raise ValidationError(errors)
    line.description = line.description.strip()
    line.gross_amount, line.net_amount, line.tax_amount = line_amounts(
        line.quantity, line.unit_price, line.discount_percent, line.tax_rate
    )
    line.full_clean(exclude=["proposal"])


def _quote(proposal: Proposal, product: Product, quantity: Decimal):
    try:
        return price_for(
            product=product,
            currency=proposal.currency,
            company=proposal.company,
            quantity=quantity,
            price_list=proposal.price_list,
        )
    except (NoPrice, CurrencyMismatch) as exc:
        raise ValidationError({"product": exc.message}) from None


def proposal_line_add(
    *,
    actor,
    proposal: Proposal,
    revision=None,
    if_match=None,
    product: Product | None = None,
    description: str = "",
    quantity=Decimal(1),
    unit: str | None = None,
    unit_price=None,
    discount_percent=None,
    tax_rate=None,
) -> ProposalLine:
    """Add a line: a product (its description, unit, tax rate, cost and the price and automatic
    discount from the price lists) or free text (price given). Explicit values win."""
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match)
        quantity = _decimal(quantity, "quantity", Decimal(1))
        line = ProposalLine(proposal=proposal, quantity=quantity)
        if product is not None:
            if not product.is_active:
                raise ValidationError({"product": _("This product is no longer on sale.")})
            line.product = product
            line.description = description or product.name
            line.unit = product.unit if unit is None else unit
            line.tax_rate = product.tax_rate
            line.cost_price = product.cost_price
            if quantity is not None and quantity > 0:
                if unit_price in (None, "") or discount_percent in (None, ""):
                    quote = _quote(proposal, product, quantity)
                    line.unit_price, line.discount_percent = (
                        quote.unit_price,
                        quote.auto_discount_percent,
                    )
        else:
            line.description, line.unit = description, unit or ""
            if unit_price in (None, ""):
                raise ValidationError({"unit_price": _("Give the price of a free-text line.")})
        line.unit_price = _decimal(unit_price, "unit_price", line.unit_price)
        line.discount_percent = _decimal(
            discount_percent, "discount_percent", line.discount_percent
        )
        line.tax_rate = _decimal(tax_rate, "tax_rate", line.tax_rate)
        position = proposal.lines.aggregate(m=Max("position"))["m"]
        line.position = 0 if position is None else position + 1
        _validate_line(line)
        line.save()
        _refresh_approval(proposal, actor, line)
        _save(proposal)
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            obj=line,
            after=_line_tracked(line),
            parent=proposal,
        )
        events.emit("proposal.updated", id=proposal.pk)
    return line


def proposal_line_update(
    *, actor, line: ProposalLine, revision=None, if_match=None, **fields
) -> ProposalLine:
    """Change a line's description, quantity, unit, price, discount or tax rate. A new quantity
    of a product takes the quantity break's price unless a price is given."""
    unknown = set(fields) - {*LINE_FIELDS, "tax_rate"} - {"product"}
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        proposal = _lock(actor, line.proposal, revision=revision, if_match=if_match)
        line = (
            ProposalLine.objects.select_for_update().filter(pk=line.pk, proposal=proposal).first()
        )
        if line is None:
            raise NotFound()
        before = _line_tracked(line)
        if "description" in fields:
            line.description = fields["description"] or ""
        if "unit" in fields:
            line.unit = fields["unit"] or ""
        for name in ("quantity", "unit_price", "discount_percent", "tax_rate"):
            if name in fields:
                value = _decimal(fields[name], name)
                if value is None:
                    raise ValidationError({name: _("This field is required.")})
                setattr(line, name, value)
        quantity_changed = "quantity" in fields and line.quantity != Decimal(before["quantity"])
        if (
            line.product_id
            and quantity_changed
            and line.quantity > 0
            and "unit_price" not in fields
        ):
            quote = _quote(proposal, line.product, line.quantity)
            line.unit_price = quote.unit_price
            if (
                "discount_percent" not in fields
                and line.discount_percent < quote.auto_discount_percent
            ):
                line.discount_percent = quote.auto_discount_percent
        _validate_line(line)
        line.save()
        _refresh_approval(proposal, actor, line)
        _save(proposal)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=line,
            before=before,
            after=_line_tracked(line),
            parent=proposal,
        )
        events.emit("proposal.updated", id=proposal.pk)
    return line


def proposal_line_remove(*, actor, line: ProposalLine, revision=None, if_match=None) -> Proposal:
    with transaction.atomic():
        proposal = _lock(actor, line.proposal, revision=revision, if_match=if_match)
        line = ProposalLine.objects.filter(pk=line.pk, proposal=proposal).first()
        if line is None:
            raise NotFound()
        record_change(
            actor=actor,
            action=ChangeAction.DELETE,
            obj=line,
            before=_line_tracked(line),
            parent=proposal,
        )
        line.delete()
        _refresh_approval(proposal, actor)
        _save(proposal)
        events.emit("proposal.updated", id=proposal.pk)
    return proposal


# Versions and discount approval -----------------------------------------------------------------
def proposal_new_version(*, actor, proposal: Proposal, revision=None, if_match=None) -> Proposal:
    """A new draft with the same number, the next version, the header and lines copied; the
    previous version becomes superseded."""
    with transaction.atomic():
        old = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        _move(old, ProposalStatus.SUPERSEDED)
        before = _tracked(old)
        latest = Proposal.objects.filter(number=old.number).aggregate(v=Max("version"))["v"]
        new = Proposal(
            deal_id=old.deal_id,
            number=old.number,
            version=(latest or old.version) + 1,
            previous=old,
            title=old.title,
            company_id=old.company_id,
            person_id=old.person_id,
            currency=old.currency,
            language=old.language,
            price_list_id=old.price_list_id,
            introduction=old.introduction,
            terms=old.terms,
            notes=old.notes,
            owner_id=old.owner_id,
            team_id=old.team_id,
            valid_until=timezone.localdate()
            + datetime.timedelta(days=SellerDetails.get().proposal_valid_days),
            discount_approval=(
                ApprovalStatus.NOT_NEEDED
                if old.discount_approval == ApprovalStatus.APPROVED
                else old.discount_approval
            ),
            revision=0,
        )
        old.status = ProposalStatus.SUPERSEDED
        _save(old, totals=False)
        new.full_clean(exclude=["client_people", "our_people", "previous"])
        new.save()
        ProposalLine.objects.bulk_create(
            [
                ProposalLine(
                    proposal=new, **{name: getattr(ln, name) for name in COPIED_LINE_FIELDS}
                )
                for ln in old.lines.order_by("position", "pk")
            ]
        )
        new.client_people.set(old.client_people.all())
        new.our_people.set(old.our_people.all())
        # A discount approved for the old version is approved again only by someone allowed to.
        if old.discount_approval == ApprovalStatus.APPROVED:
            new.discount_approval = ApprovalStatus.PENDING
            _refresh_approval(new, actor)
        _save(new)
        record_change(
            actor=actor, action=ChangeAction.UPDATE, obj=old, before=before, after=_tracked(old)
        )
        record_change(actor=actor, action=ChangeAction.CREATE, obj=new, after=_tracked(new))
        ensure_in_scope(actor, new)
        events.emit("proposal.new_version", id=new.pk, previous=old.pk)
    return new


def proposal_decide_discount(
    *, actor, proposal: Proposal, approve: bool, revision=None, if_match=None
) -> Proposal:
    """A head of the deal's department (or a director or administrator) approves or refuses the
    discounts waiting for approval."""
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        if not may_approve_discount(actor, proposal):
            raise PermissionDenied(
                _("Only a head of the department, a director or an administrator may decide.")
            )
        if proposal.discount_approval != ApprovalStatus.PENDING:
            raise DomainError(
                _("No discount on this proposal is waiting for approval."), code="not_pending"
            )
        before = _tracked(proposal)
        proposal.discount_approval = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
        proposal.discount_approved_by = actor if approve else None
        _save(proposal, totals=False)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=proposal,
            before=before,
            after=_tracked(proposal),
        )
        events.emit(
            "proposal.discount_approved" if approve else "proposal.discount_refused",
            id=proposal.pk,
        )
    return proposal


def proposal_approve_discount(*, actor, proposal, revision=None, if_match=None) -> Proposal:
    return proposal_decide_discount(
        actor=actor, proposal=proposal, approve=True, revision=revision, if_match=if_match
    )


def proposal_refuse_discount(*, actor, proposal, revision=None, if_match=None) -> Proposal:
    return proposal_decide_discount(
        actor=actor, proposal=proposal, approve=False, revision=revision, if_match=if_match
    )


# PDF, sending, decisions ------------------------------------------------------------------------
def proposal_pdf(proposal: Proposal) -> bytes:
    """The proposal as a PDF in its language."""
    return render_pdf("orders/pdf/proposal.html", pdf_context(proposal), language=proposal.language)


def pdf_context(proposal: Proposal) -> dict:
    company = proposal.company
    address = company.addresses.first() if company else None
    return {
        "document": proposal,
        "proposal": proposal,
        "seller": SellerDetails.get(),
        "customer": company,
        "customer_address": address,
        "person": proposal.person,
        "lines": list(proposal.lines.order_by("position", "pk")),
    }


def pdf_filename(proposal: Proposal) -> str:
    suffix = f"-v{proposal.version}" if proposal.version > 1 else ""
    return f"{proposal.number or proposal.pk}{suffix}.pdf"


def proposal_send(
    *, actor, proposal: Proposal, person: Person, message: str = "", revision=None, if_match=None
) -> Proposal:
    """E-mail the PDF to one of the deal's customer people, in the proposal's language; the
    e-mail is logged on the customer's timeline and a draft becomes sent."""
    from rapport.activities.choices import ActivityKind, Direction
    from rapport.activities.services import activity_log

    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        if proposal.status != ProposalStatus.SENT:
            _move(proposal, ProposalStatus.SENT)
        _require_ready(proposal)
        allowed = {p.pk: p for p in recipients(proposal, actor)}
        person = allowed.get(getattr(person, "pk", person))
        if person is None:
            raise ValidationError(
                {"person": _("Choose a person of the deal's customer who has an e-mail address.")}
            )
        if email_consent_withdrawn(person):
            raise ValidationError(
                {
                    "person": _("%(person)s has withdrawn consent to e-mails.")
                    % {"person": person.full_name}
                }
            )
        before = _tracked(proposal)
        proposal.status = ProposalStatus.SENT
        proposal.sent_at = timezone.now()
        _save(proposal, totals=False)
        pdf = proposal_pdf(proposal)
        context = {
            "proposal": proposal,
            "person": person,
            "message": (message or "").strip(),
            "sender": actor,
            "seller": SellerDetails.get(),
        }
        with translation.override(proposal.language):
            subject = " ".join(
                render_to_string("orders/email/proposal_subject.txt", context).split()
            )
            body = render_to_string("orders/email/proposal_body.txt", context)
        activity_log(
            actor=actor,
            company=proposal.company,
            person=person,
            kind=ActivityKind.EMAIL,
            direction=Direction.OUTBOUND,
            subject=subject[:200],
            body=body,
        )
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=proposal,
            before=before,
            after=_tracked(proposal),
        )
        email = EmailMessage(
            subject=subject,
            body=body,
            to=[person.email],
            reply_to=[actor.email] if actor.email else None,
        )
        email.attach(pdf_filename(proposal), pdf, "application/pdf")
        email.send()
        events.emit("proposal.sent", id=proposal.pk, person=person.pk)
    return proposal


def proposal_accept(*, actor, proposal: Proposal, revision=None, if_match=None):
    """The customer accepted: the proposal is accepted and its order is created, together."""
    from rapport.orders.services.orders import order_create_from_proposal

    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        _move(proposal, ProposalStatus.ACCEPTED)
        _require_ready(proposal)
        before = _tracked(proposal)
        proposal.status = ProposalStatus.ACCEPTED
        proposal.decided_at = timezone.now()
        _save(proposal, totals=False)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=proposal,
            before=before,
            after=_tracked(proposal),
        )
        order = order_create_from_proposal(actor=actor, proposal=proposal)
        events.emit("proposal.accepted", id=proposal.pk, order=order.pk)
    return order


def proposal_reject(*, actor, proposal: Proposal, revision=None, if_match=None) -> Proposal:
    """The customer declined a sent proposal."""
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        _move(proposal, ProposalStatus.REJECTED)
        before = _tracked(proposal)
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = timezone.now()
        _save(proposal, totals=False)
        record_change(
            actor=actor,
            action=ChangeAction.UPDATE,
            obj=proposal,
            before=before,
            after=_tracked(proposal),
        )
        events.emit("proposal.rejected", id=proposal.pk)
    return proposal


def proposals_expire(*, today: datetime.date | None = None) -> int:
    """Sent proposals whose validity ended before ``today`` become expired; returns how many.

    The system does it (no actor; run daily by ``orders.tasks.expire_proposals``). Each proposal
    is locked and moved in its own transaction, so one the customer answers meanwhile is left
    alone and one that cannot be saved does not hold back the others. Running it again changes
    nothing."""
    today = today or timezone.localdate()
    candidates = Proposal.objects.filter(
        status=ProposalStatus.SENT, valid_until__lt=today
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(candidates):
        try:
            with transaction.atomic():
                proposal = (
                    Proposal.objects.select_for_update()
                    .filter(pk=pk, status=ProposalStatus.SENT, valid_until__lt=today)
                    .first()
                )
                if proposal is None:  # accepted, rejected or re-dated since the query above
                    continue
                _move(proposal, ProposalStatus.EXPIRED)
                before = _tracked(proposal)
                proposal.status = ProposalStatus.EXPIRED
                _save(proposal, totals=False)
                record_change(
                    actor=None,
                    action=ChangeAction.UPDATE,
                    obj=proposal,
                    before=before,
                    after=_tracked(proposal),
                )
                events.emit("proposal.expired", id=proposal.pk)
        except Exception:  # keep expiring the others; the failure is in the log
            logger.exception("Could not expire proposal %s", pk)
            continue
        expired += 1
    return expired
