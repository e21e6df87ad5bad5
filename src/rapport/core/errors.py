"""Domain errors raised by services; views and the API turn them into translated answers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message or _("The request could not be completed.")
        if code:
            self.code = code
        super().__init__(str(self.message))


class OutOfScope(DomainError):
    """A write would leave the record where its author could no longer see it."""

    code = "out_of_scope"

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "You cannot save this record with these values: it would be outside the records "
                "you are allowed to manage."
            )
        )


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, message=None):
        super().__init__(message or _("Not found."))


class StaleWrite(DomainError):
    code = "stale"

    def __init__(self, message=None):
        super().__init__(
            message
            or _("Someone else changed this record after you opened it. Reload it and try again.")
        )


__all__ = ["DomainError", "NotFound", "OutOfScope", "StaleWrite", "ValidationError"]
