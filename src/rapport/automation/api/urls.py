"""API resources of the automation app, registered by rapport/api_urls.py."""

from rapport.automation.api.views import RuleViewSet

ROUTES: list = [("automation-rules", RuleViewSet, "automation-rule")]
PATHS: list = []
