"""API routes: document_routes."""

ROUTES: list = []
PATHS: list = []
