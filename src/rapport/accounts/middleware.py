"""Per-user interface language and the two-factor requirement for selected roles."""

from django.shortcuts import redirect
from django.utils import translation

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/favicon")


class UserLanguageMiddleware:
    """Activate the language chosen in the user's profile (after LocaleMiddleware guessed one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        if user is not None and user.is_authenticated and user.language:
            response.headers.setdefault("Content-Language", user.language)
        return response


class RequireTwoFactorMiddleware:
    """Users whose role must use 2FA are sent to set it up before they can use the CRM."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and _two_factor_required(user)
            and not _has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _two_factor_required(user) -> bool:
    from rapport.core.models import SiteConfiguration

    return user.role in (SiteConfiguration.get().two_factor_roles or [])


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
