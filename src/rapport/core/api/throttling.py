"""Per-user API throttle (shared through the cache, answered with 429 and Retry-After)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle


class UserRateThrottle(DrfUserRateThrottle):
    scope = "user"

    def get_rate(self):
        # DRF copies the rates into a class attribute at import time; read the current setting so
        # a changed REST_FRAMEWORK setting (e.g. a lower rate for one deployment or test) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
