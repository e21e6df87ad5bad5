"""API resources of the orders app, registered by rapport/api_urls.py."""

# (prefix, viewset, basename) for the router; PATHS: plain paths for non-router views.
ROUTES: list = []
PATHS: list = []
