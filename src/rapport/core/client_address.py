"""The visitor's network address, also behind reverse proxies we trust (RAPPORT_TRUSTED_PROXIES)."""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``) of the trusted proxies."""
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"RAPPORT_TRUSTED_PROXIES: {exc}") from exc


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``);
    an IPv4 address mapped into IPv6 (a server listening on ``::``) as the IPv4 address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request) -> str:
    """``REMOTE_ADDR``, unless that is one of our trusted proxies: then the right-most address of
    ``X-Forwarded-For`` that is not a trusted proxy (each proxy appends the address it got the
    request from, so only the part our own proxies wrote can be believed; anything further left
    is whatever the visitor sent). A forged header from anyone else is ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(tuple(settings.RAPPORT.get("TRUSTED_PROXIES") or ()))
    peer = _parsed(remote)
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote or "unknown"
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    for part in reversed(chain):
        hop = _parsed(part)
        if hop is None:
            break  # not an address our proxy wrote: trust nothing further left
        if not any(hop in net for net in trusted):
            return str(hop)
    # No header, or only our proxies in it: the request came from the proxy itself.
    return remote
