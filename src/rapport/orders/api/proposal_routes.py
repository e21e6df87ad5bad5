"""API routes: proposal_routes."""

ROUTES: list = []
PATHS: list = []
