"""Proposal writes (see ``common``: every write locks the proposal, checks the revision the
caller edited, recomputes the totals, bumps ``revision`` and records the change)."""

from rapport.orders.services.proposals.common import (
    language_for,
    may_approve_discount,
    recipients,
    stale_error,
)
from rapport.orders.services.proposals.delivery import (
    pdf_context,
    pdf_filename,
    proposal_accept,
    proposal_pdf,
    proposal_reject,
    proposal_send,
    proposals_expire,
)
from rapport.orders.services.proposals.editing import (
    proposal_approve_discount,
    proposal_create,
    proposal_decide_discount,
    proposal_delete,
    proposal_line_add,
    proposal_line_remove,
    proposal_line_update,
    proposal_new_version,
    proposal_refuse_discount,
    proposal_update,
)

__all__ = [
    "language_for",
    "may_approve_discount",
    "pdf_context",
    "pdf_filename",
    "proposal_accept",
    "proposal_approve_discount",
    "proposal_create",
    "proposal_decide_discount",
    "proposal_delete",
    "proposal_line_add",
    "proposal_line_remove",
    "proposal_line_update",
    "proposal_new_version",
    "proposal_pdf",
    "proposal_refuse_discount",
    "proposal_reject",
    "proposal_send",
    "proposal_update",
    "proposals_expire",
    "recipients",
    "stale_error",
]
