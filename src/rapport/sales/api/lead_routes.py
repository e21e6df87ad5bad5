"""API routes of leads, collected by sales/api/urls.py."""

from rapport.sales.api.leads import LeadViewSet

ROUTES: list = [("leads", LeadViewSet, "lead")]
PATHS: list = []
