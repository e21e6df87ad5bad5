"""Proposal writes while a proposal is prepared: create on a deal, header, lines, versions,
discount approval."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import Product
from rapport.catalog.pricing import (
    CurrencyMismatch,
    NoPrice,
    line_amounts,
    price_for,
)
from rapport.contacts.models import Person
from rapport.core import events, scoping
from rapport.core.changelog import record_change
from rapport.core.errors import DomainError, NotFound, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.money import ZERO, parse_decimal
from rapport.core.services import ensure_in_scope, require_writer
from rapport.orders.choices import (
    ApprovalStatus,
    DocumentKind,
    ProposalStatus,
)
from rapport.orders.models import Proposal, ProposalLine, SellerDetails
from rapport.orders.numbering import allocate_number
from rapport.orders.services.proposals.common import (
    COPIED_LINE_FIELDS,
    HEADER_FIELDS,
    HUNDRED,
    LINE_FIELDS,
    _line_tracked,
    _lock,
    _move,
    _refresh_approval,
    _save,
    _tracked,
    language_for,
    may_approve_discount,
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
    return parse_decimal(value, field=field, default=default)


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
