"""The audit trail's one writer: every operator and administrator action, and every view of personal data.

``audit_record`` runs inside the caller's transaction, so an action that rolls back
leaves no entry and an entry never exists without its action (Zulip's RealmAuditLog).

The writer lives in core so that any app may record an action without importing the console (which
sits above them all); the trail's table stays the console's ``AuditEntry``, whose app registers the
one store with ``register_audit_store`` in its ``AppConfig.ready()`` (as ``attachments.access.register_reader``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.db import models

from marketdesk.core import clock
from marketdesk.core.actors import Actor


class AuditStore(Protocol):
    """Write one audit entry from its fields and return it (the console's ``AuditEntry.objects.create``)."""

    def __call__(self, **fields: Any) -> models.Model: ...


# One store, set by the console's AppConfig.ready().
_STORES: dict[str, AuditStore] = {}


def register_audit_store(store: AuditStore) -> AuditStore:
    """Register where audit entries are written (the console does, once)."""
    if _STORES.setdefault("audit", store) is not store:
        raise ValueError("an audit store is registered already")
    return store


# The address of the request being served, set by the console's views (services do not know it).
_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_request_ip", default=None)


@contextmanager
def request_ip(ip: str | None) -> Iterator[None]:
    """Record ``ip`` on every audit entry written inside the block."""
    token = _request_ip.set(ip)
    try:
        yield
    finally:
        _request_ip.reset(token)


def _marketplace_of(actor: Actor, obj: models.Model | None) -> int | None:
    if actor.marketplace_id is not None:
        return actor.marketplace_id
    for path in ("marketplace_id", "order"):
        value = getattr(obj, path, None)
        if isinstance(value, int):
            return value
        if value is not None and isinstance(getattr(value, "marketplace_id", None), int):
            return int(value.marketplace_id)
    return None


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
) -> models.Model:
    """Append one entry to the audit trail: who, when, what, on which object, before and after."""
    store = _STORES.get("audit")
    if store is None:
        raise RuntimeError("no audit store registered: is marketdesk.console in INSTALLED_APPS?")
    return store(
        actor_user=actor.user,
        actor_label=actor.label[:150],
        actor_role=actor.role,
        marketplace_id=_marketplace_of(actor, obj),
        occurred_at=clock.now(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        object_label=(str(obj) if obj is not None else object_label)[:200],
        before=before,
        after=after,
        ip=ip or _request_ip.get(),
    )
