"""A proposal reaches the customer and comes back: its PDF, the e-mail, acceptance (the order),
rejection, expiry."""

from __future__ import annotations

import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rapport.contacts.consent import email_consent_withdrawn, email_consent_withdrawn_message
from rapport.contacts.models import Person
from rapport.core import events
from rapport.core.changelog import record_change
from rapport.core.errors import ValidationError
from rapport.core.models import ChangeAction
from rapport.orders.choices import (
    ProposalStatus,
)
from rapport.orders.models import Proposal, SellerDetails
from rapport.orders.pdf import render_pdf
from rapport.orders.services.proposals.common import (
    _lock,
    _move,
    _require_ready,
    _save,
    _set_status,
    _tracked,
    logger,
    recipients,
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
    from rapport.activities.services.activities import activity_log

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
            raise ValidationError({"person": email_consent_withdrawn_message(person)})
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
        _set_status(actor, proposal, ProposalStatus.ACCEPTED)
        order = order_create_from_proposal(actor=actor, proposal=proposal)
        events.emit("proposal.accepted", id=proposal.pk, order=order.pk)
    return order


def proposal_reject(*, actor, proposal: Proposal, revision=None, if_match=None) -> Proposal:
    """The customer declined a sent proposal."""
    with transaction.atomic():
        proposal = _lock(actor, proposal, revision=revision, if_match=if_match, draft=False)
        _set_status(actor, proposal, ProposalStatus.REJECTED)
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
                _set_status(None, proposal, ProposalStatus.EXPIRED)
                events.emit("proposal.expired", id=proposal.pk)
        except Exception:  # keep expiring the others; the failure is in the log
            logger.exception("Could not expire proposal %s", pk)
            continue
        expired += 1
    return expired
