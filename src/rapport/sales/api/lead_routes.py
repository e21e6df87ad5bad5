"""API routes: lead_routes."""

ROUTES: list = []
PATHS: list = []
