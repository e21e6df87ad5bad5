"""Permission declarations of the apps after the foundation, one module per app (or part).

Each module defines:
- ``RULES``: extra rules (role, key, method) -> allowed, by name;
- ``WEB``: route name -> Route; ``API``: (path, method) -> Route (see tests/permission_base.py);
- ``prepare(world) -> {key: {object name: pk}}``: records the routes point at ("own", "team",
  "foreign"), made once per matrix test;
- ``COUNTED`` and ``STAMPED``: models whose row count (and latest ``updated_at``) a refused
  request must leave unchanged.
"""

import importlib
import pkgutil

# Every module of this package, in name order: a new part only adds its file.
APP_RULES = tuple(
    importlib.import_module(f"{__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
)
