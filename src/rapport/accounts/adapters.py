"""allauth adapter: no public sign-up; administrators create accounts; the sign-in rate limit
keys on the visitor's real address behind our trusted proxies."""

from allauth.account.adapter import DefaultAccountAdapter

from rapport.core.client_address import client_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # The same address the web form's limit uses: behind a proxy, REMOTE_ADDR is the proxy's.
        return client_address(request) or super().get_client_ip(request)
