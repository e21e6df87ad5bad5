"""API resources of the sales app, registered by rapport/api_urls.py."""

from rapport.sales.api import deal_routes, lead_routes

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = [*lead_routes.ROUTES, *deal_routes.ROUTES]
PATHS: list = [*lead_routes.PATHS, *deal_routes.PATHS]
