"""Throttles: how often one caller may do one thing, counted in Django's cache.

With ``MARKETDESK_CACHE_URL`` the cache is Redis, so every web process counts together; without
it each process counts on its own (fine for one process, the demo and tests). Limits are named
in ``settings.THROTTLES`` as ``scope: (count, seconds)``, never written where they are applied.

A window is fixed (it starts at a multiple of its length, on the one clock), and the count is
taken with ``cache.add`` then ``cache.incr``: both atomic on Redis, so two processes never both
take the last slot.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from marketdesk.core.clock import now


@dataclass(frozen=True)
class Verdict:
    """Whether one more attempt is allowed, and how many seconds until the window turns."""

    allowed: bool
    retry_after: int


def _window(scope: str, ident: str) -> tuple[int, int, float, int, str]:
    """Return the scope's limit and window length, the moment, the window's number and its cache key."""
    limit, window = settings.THROTTLES[scope]
    moment = now().timestamp()
    number = math.floor(moment / window)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # addresses and e-mails never sit in the cache as text
    return limit, window, moment, number, f"throttle:{scope}:{digest}:{number}"


def throttle_hit(scope: str, ident: str) -> Verdict:
    """Count one attempt by ``ident`` in ``scope`` and say whether it is within the scope's limit."""
    limit, window, moment, number, key = _window(scope, ident)
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(key, 1, timeout=window + 1)
        count = 1
    retry_after = max(1, math.ceil((number + 1) * window - moment))
    return Verdict(allowed=count <= limit, retry_after=retry_after)


def throttle_reached(scope: str, ident: str) -> bool:
    """Say whether ``ident`` has used up ``scope`` in this window, without counting an attempt."""
    limit, _window_length, _moment, _number, key = _window(scope, ident)
    return int(cache.get(key, 0)) >= limit
