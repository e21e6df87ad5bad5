"""API resources of the documents app, registered by rapport/api_urls.py."""

from rapport.orders.api import document_routes, proposal_routes

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = [*proposal_routes.ROUTES, *document_routes.ROUTES]
PATHS: list = [*proposal_routes.PATHS, *document_routes.PATHS]
