"""What every proposal write shares: locking with the caller's revision, the allowed moves,
totals, the change-log snapshot, discount approval and reading helpers."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Role
from rapport.catalog.pricing import (
    best_discount_rule,
    customer_group_id,
    discount_limit_for,
    document_totals,
)
from rapport.contacts.models import Person
from rapport.core import scoping
from rapport.core.changelog import record_change, snapshot
from rapport.core.errors import DomainError, StaleWrite, ValidationError
from rapport.core.models import ChangeAction
from rapport.core.money import ZERO
from rapport.core.services import lock_for_change
from rapport.orders.choices import (
    PROPOSAL_MOVES,
    ApprovalStatus,
    DocumentLanguage,
    ProposalStatus,
)
from rapport.orders.models import Proposal, ProposalLine

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
        raise DomainError(_not_draft_message(fresh), code="not_draft")
    return fresh


def _not_draft_message(proposal: Proposal) -> str:
    """Why a proposal that left the draft cannot be edited, and what can be done instead (an
    accepted or replaced one cannot get a new version)."""
    if proposal.status == ProposalStatus.ACCEPTED:
        return _(
            "This proposal was accepted and can no longer be changed: its order was made from "
            "it. For anything more, make a new proposal on the deal."
        )
    if proposal.status == ProposalStatus.SUPERSEDED:
        return _(
            "This version was replaced by a newer one and can no longer be changed. Open the "
            "newest version instead."
        )
    return _(
        "This proposal is %(status)s and can no longer be changed. Make a new version of it "
        "instead."
    ) % {"status": proposal.get_status_display()}


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


def _set_status(actor, proposal: Proposal, target: str) -> None:
    """Move a locked proposal along PROPOSAL_MOVES and record it (the caller holds the lock)."""
    _move(proposal, target)
    before = _tracked(proposal)
    proposal.status = target
    if target in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED):
        proposal.decided_at = timezone.now()
    _save(proposal, totals=False)
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=proposal,
        before=before,
        after=_tracked(proposal),
    )
