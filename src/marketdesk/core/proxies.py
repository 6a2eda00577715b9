"""The client's address and scheme behind trusted reverse proxies (``MARKETDESK_TRUSTED_PROXIES``).

Behind a proxy ``REMOTE_ADDR`` is the proxy's address and the scheme is the proxy's hop, not the
browser's. ``X-Forwarded-For`` and ``X-Forwarded-Proto`` say what the proxy saw, but anyone can
send them: they are believed only when the direct peer is one of ``settings.TRUSTED_PROXIES``.
``X-Forwarded-For`` is then read from the right (each proxy appends the address it was reached
from), skipping the addresses of trusted proxies: the first one left is the client. Everything to
its left was written by the client or by proxies we do not know, so it is never used.

``TrustedProxyMiddleware`` applies this once, first thing: ``REMOTE_ADDR`` becomes the client's
address (the peer's is kept as ``MARKETDESK_PEER_ADDR``) and ``X-Forwarded-Proto`` is kept only
when a trusted proxy sent it, so Django's ``SECURE_PROXY_SSL_HEADER`` reads a vetted value.
``client_ip`` gives the same answer for a request the middleware has not seen (django-axes asks
it through ``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.deprecation import MiddlewareMixin

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PEER_KEY = "MARKETDESK_PEER_ADDR"
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
FORWARDED_PROTO = "HTTP_X_FORWARDED_PROTO"


def trusted_networks(value: str) -> list[Network]:
    """Parse a comma-separated list of addresses and networks (``10.0.0.1, 10.1.0.0/16, ::1``)."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]


def _address(value: str) -> Address | None:
    """Parse one hop: a bare address, ``1.2.3.4:port`` or ``[v6]:port``; None if it is no address."""
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _trusted(address: Address | None, networks: Iterable[Network]) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


def forwarded_client(meta: dict[str, Any], networks: list[Network]) -> tuple[str, str | None]:
    """Return the client's address and the forwarded scheme (None when none may be believed) for ``meta``."""
    peer = str(meta.get("REMOTE_ADDR") or "")
    if not _trusted(_address(peer), networks):
        return peer, None
    hops = [h.strip() for h in str(meta.get(FORWARDED_FOR, "")).split(",") if h.strip()]
    client, at = peer, len(hops)  # at: the client's position in hops (len(hops): the peer itself)
    while at > 0:
        address = _address(hops[at - 1])
        if address is None:
            break  # garbage where an address should be: the last hop we could read is as far as we go
        at -= 1
        client = str(address)
        if not _trusted(address, networks):
            break
    protos = [p.strip().lower() for p in str(meta.get(FORWARDED_PROTO, "")).split(",") if p.strip()]
    return client, _scheme(protos, hops, at)


def _scheme(protos: list[str], hops: list[str], index: int) -> str | None:
    """The scheme the client used: one value from a proxy that sets it, else the one aligned with the client."""
    if not protos:
        return None
    if len(protos) == 1:
        return protos[0]
    # Each proxy appended the scheme it was reached by, as it appended the address: same position.
    if len(protos) == len(hops) and index < len(hops):
        return protos[index]
    return protos[-1]  # the nearest (trusted) proxy's word


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client behind any trusted proxies (what the lockout and the audit record)."""
    if PEER_KEY in request.META:  # the middleware resolved it already; resolving twice could go too far left
        return request.META.get("REMOTE_ADDR") or None
    return forwarded_client(request.META, settings.TRUSTED_PROXIES)[0] or None


class TrustedProxyMiddleware(MiddlewareMixin):
    """Put the client's address in REMOTE_ADDR and keep X-Forwarded-Proto only when a trusted proxy sent them."""

    def process_request(self, request: HttpRequest) -> None:
        meta = request.META
        if PEER_KEY in meta:
            return
        client, scheme = forwarded_client(meta, settings.TRUSTED_PROXIES)
        meta[PEER_KEY] = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = client
        if scheme is None:
            meta.pop(FORWARDED_PROTO, None)
        else:
            meta[FORWARDED_PROTO] = scheme
