"""The visitor's address: X-Forwarded-For counts only when a trusted proxy sent the request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from rapport.core.client_address import client_address


def request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def proxies(settings):
    settings.RAPPORT = {**settings.RAPPORT, "TRUSTED_PROXIES": ["10.0.0.0/8", "192.0.2.1"]}


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.RAPPORT = {**settings.RAPPORT, "TRUSTED_PROXIES": []}
    assert client_address(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"
    assert client_address(request("")) == "unknown"


def test_a_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(proxies):
    assert client_address(request("203.0.113.5", "198.51.100.1, 10.0.0.2")) == "203.0.113.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "visitor"),
    [
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # The visitor wrote a made-up first entry; our proxies appended the rest.
        ("10.0.0.2", "1.1.1.1, 198.51.100.1, 192.0.2.1", "198.51.100.1"),
        ("192.0.2.1", " 198.51.100.1:5123 ", "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # Only proxies in the chain, or no header: the request came from the proxy itself.
        ("10.0.0.2", "10.0.0.3", "10.0.0.2"),
        ("10.0.0.2", None, "10.0.0.2"),
        # Something our proxy did not write stops the walk: nothing left of it is believed.
        ("10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_visitor(
    proxies, remote, forwarded, visitor
):
    assert client_address(request(remote, forwarded)) == visitor


def test_a_wrong_setting_says_what_is_wrong(settings):
    settings.RAPPORT = {**settings.RAPPORT, "TRUSTED_PROXIES": ["not-an-address"]}
    with pytest.raises(ImproperlyConfigured, match="RAPPORT_TRUSTED_PROXIES"):
        client_address(request("10.0.0.2", "198.51.100.1"))


def test_the_sign_in_rate_limit_counts_the_visitor_not_the_proxy(proxies):
    from rapport.accounts.adapters import AccountAdapter

    adapter = AccountAdapter()
    behind = request("10.1.2.3", "203.0.113.7")
    spoofed = request("198.51.100.9", "203.0.113.7")
    assert adapter.get_client_ip(behind) == "203.0.113.7"
    assert adapter.get_client_ip(spoofed) == "198.51.100.9"
