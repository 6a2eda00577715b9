"""Who is calling the API: the marketplace with a key, or a signed-in person with a session.

Each authenticator returns the ``Actor`` that services and selectors expect,
so views read ``request.auth`` and never look at users or keys themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotAuthenticated, PermissionDenied
from marketdesk.core.throttle import throttle_hit


class PresentedKey(Protocol):
    """An integration key the API accepts: whose marketplace it is, and its id."""

    pk: int
    marketplace_id: int


# Who knows the keys: accounts, the floor above, registers its authenticator (AccountsConfig.ready()).
type KeyAuthenticator = Callable[[str], PresentedKey | None]
_key_authenticator: list[KeyAuthenticator] = []


def register_key_authenticator(authenticator: KeyAuthenticator) -> None:
    """Let ``authenticator`` return the active key for a presented secret, or None (one authenticator)."""
    _key_authenticator[:] = [authenticator]


def _key_for(token: str) -> PresentedKey | None:
    if not _key_authenticator:
        raise ImproperlyConfigured("No API key authenticator is registered (marketdesk.accounts registers one).")
    return _key_authenticator[0](token)


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer mdk_...`` — a marketplace's integration key."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        header = request.headers.get(self.header)
        if not header:
            return None  # no key: let session auth try
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer":
            # Another scheme (e.g. Basic from a password-protected staging proxy) is not ours to judge.
            return None
        if not token.strip():
            raise NotAuthenticated(_("Send the API key as: Authorization: Bearer mdk_…"))
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        key = _key_for(token)
        if key is None:
            # A presented but unknown or revoked key is refused outright, not passed on to session auth.
            raise NotAuthenticated(_("The API key is not valid or has been revoked."))
        return Actor.marketplace(marketplace_id=key.marketplace_id, api_key_id=key.pk)


class SessionAuth(APIKeyCookie):
    """A signed-in person in the browser; unsafe methods need the CSRF token.

    ``roles`` limits which roles may use the operation; a signed-in person in
    another role is refused with 403 before the request body is even read.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self, *, roles: Iterable[str] | None = None, csrf: bool = True) -> None:
        self.roles = frozenset(str(r) for r in roles) if roles is not None else None
        super().__init__(csrf=csrf)

    def __call__(self, request: HttpRequest) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # Not signed in: answer 401 (no key, no session), not a CSRF failure.
            return None
        return super().__call__(request)  # checks CSRF for unsafe methods, then authenticate()

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user: Any = request.user
        actor = Actor.for_user(user)
        if self.roles is not None and actor.role not in self.roles:
            raise PermissionDenied
        return actor


api_key_auth = ApiKeyAuth()
#: Anyone signed in may read; what they see is decided by the selectors.
session_auth = SessionAuth()
#: Writes of the marketplace's data: its key, or an administrator correcting by hand.
admin_session_auth = SessionAuth(roles=[Role.ADMIN])

READ_AUTH = [api_key_auth, session_auth]
FEED_AUTH = [api_key_auth, admin_session_auth]


def request_actor(request: HttpRequest) -> Actor:
    """Return the actor the API's authentication put on the request."""
    return request.auth  # type: ignore[attr-defined]  # set by the auth classes above


class ApiKeyThrottle(BaseThrottle):
    """Limit each API key to ``settings.THROTTLES["api_key"]``; signed-in people are not counted here.

    ninja runs it after authentication, so ``request.auth`` says which key is calling; the 429
    it causes carries ``Retry-After`` (see ``api.errors``).
    """

    def __init__(self) -> None:
        # One instance serves every request; what wait() reports belongs to this thread's request.
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        actor = getattr(request, "auth", None)
        key_id = getattr(actor, "api_key_id", None)
        if key_id is None:
            return True
        verdict = throttle_hit("api_key", str(key_id))
        self._last.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)
