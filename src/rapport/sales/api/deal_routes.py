"""API routes: deal_routes."""

ROUTES: list = []
PATHS: list = []
