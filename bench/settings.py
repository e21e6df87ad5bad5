"""Benchmark-only settings: the application's settings plus the bare comparison view.

The cache is per process (as Redis would be in production, the database cache would add two
queries to every throttled API request) and the API throttle is raised so the load loop measures
the endpoint, not the 429 answer.
"""

from rapport.settings import *  # noqa: F403
from rapport.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000000/min"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
