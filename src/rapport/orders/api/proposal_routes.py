"""API routes: proposals and their lines."""

from rapport.orders.api.proposals import ProposalLineViewSet, ProposalViewSet

ROUTES: list = [
    ("proposals", ProposalViewSet, "proposal"),
    ("proposal-lines", ProposalLineViewSet, "proposal-line"),
]
PATHS: list = []
