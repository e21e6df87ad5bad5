"""Permission declarations of the apps after the foundation, one module per app (or part).

Each module defines:
- ``RULES``: extra rules (role, key, method) -> allowed, by name;
- ``WEB``: route name -> Route; ``API``: (path, method) -> Route (see tests/permission_base.py);
- ``prepare(world) -> {key: {object name: pk}}``: records the routes point at ("own", "team",
  "foreign"), made once per matrix test;
- ``COUNTED`` and ``STAMPED``: models whose row count (and latest ``updated_at``) a refused
  request must leave unchanged.
"""

from tests.app_rules import (
    analytics,
    catalog,
    orders_documents,
    orders_proposals,
    sales_deals,
    sales_leads,
)

APP_RULES = (catalog, sales_leads, sales_deals, orders_proposals, orders_documents, analytics)
