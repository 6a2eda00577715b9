"""Writes of accounts: API keys (hashed at rest, shown once, revocable) and preferences."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import ApiKey, Language, User
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from marketdesk.orders.models import Marketplace

KEY_PREFIX = "mdk_"


def _digest(secret: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, actor: Actor, marketplace: Marketplace, name: str) -> tuple[ApiKey, str]:
    """Create a key for one marketplace; return it and the secret, which is never shown again."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    if not name.strip():
        raise DomainValidationError(_("Give the key a name."), field="name")
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        marketplace=marketplace, name=name.strip(), prefix=prefix, hashed_secret=_digest(raw), created_by=actor.user
    )
    return key, raw


def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key at once; requests with it are refused from now on."""
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied()
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise NotFound()
        if key.revoked_at is None:
            key.revoked_at = clock.now()
            key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """Return the active key for a presented secret, or None."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix = raw[len(KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("marketplace").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.hashed_secret, _digest(raw)):
        return None
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def user_set_language(*, user: User, language: str) -> User:
    """Save the user's interface and email language."""
    if language not in Language.values:
        raise DomainValidationError(_("Choose English or Russian."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
