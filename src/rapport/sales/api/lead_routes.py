"""API routes of leads and their intake, collected by sales/api/urls.py."""

from rapport.sales.api.intake import DistributionRuleViewSet, LeadWebFormViewSet
from rapport.sales.api.leads import LeadViewSet

ROUTES: list = [
    ("leads", LeadViewSet, "lead"),
    ("lead-web-forms", LeadWebFormViewSet, "lead-web-form"),
    ("distribution-rules", DistributionRuleViewSet, "distribution-rule"),
]
PATHS: list = []
