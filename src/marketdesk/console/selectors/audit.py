"""The audit trail, as the actor may read it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from marketdesk.console.models import AuditEntry
from marketdesk.console.services.access import STAFF
from marketdesk.core.actors import Actor


def audit_for_actor(
    actor: Actor,
    *,
    q: str = "",
    who: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Return the audit trail the actor may read (their marketplace's), newest first, filtered."""
    if actor.role not in STAFF:
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.all()
    if actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    if q:
        qs = qs.filter(
            Q(actor_label__icontains=q) | Q(action__icontains=q) | Q(object_label__icontains=q) | Q(object_id=q)
        )
    if who is not None:
        qs = qs.filter(actor_user_id=who)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since is not None:
        qs = qs.filter(occurred_at__date__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__date__lte=until)
    return qs.select_related("actor_user").order_by("-occurred_at", "-id")


def audit_actions(actor: Actor) -> list[str]:
    """Return the distinct actions in the actor's trail (for the filter)."""
    return sorted(set(audit_for_actor(actor).order_by().values_list("action", flat=True).distinct()))
