"""Per-user API throttle (shared through the cache, answered with 429 and Retry-After)."""

from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle


class UserRateThrottle(DrfUserRateThrottle):
    scope = "user"
