"""Flags of a shipment (late to ship, delayed, stalled, likely lost), computed from the policy and recorded when they change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.policies import Policy, policy_current
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.shipping import events
from marketdesk.shipping.models import OPEN_FILTER, Shipment
from marketdesk.shipping.services.care import _care_start
from marketdesk.shipping.states import BEFORE_HANDOVER, FINAL, CareTrigger, TrackingStatus

if TYPE_CHECKING:  # the projection calls these flags; at run time the parcel state is only an annotation
    from marketdesk.shipping.services.projection import ParcelState

FLAG_NAMES = ("late_to_ship", "delayed", "stalled", "likely_lost")
#: After these the carrier still has the parcel, so a silent carrier means trouble.
WITH_CARRIER = frozenset(
    {
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.EXCEPTION,
        TrackingStatus.RETURNING_TO_SENDER,
        TrackingStatus.FAILED_ATTEMPT,
    }
)


def shipment_flags(shipment: Shipment | ParcelState, *, now: dt.datetime, policy: Policy) -> dict[str, bool]:
    """Return the flags of a shipment at ``now`` from its projection and the policy's thresholds."""
    status = shipment.tracking_status
    silent = now - shipment.last_scan_at if shipment.last_scan_at else dt.timedelta(0)
    return {
        "late_to_ship": status in BEFORE_HANDOVER and shipment.ship_by is not None and now > shipment.ship_by,
        "delayed": status not in FINAL and shipment.estimated_to is not None and now > shipment.estimated_to,
        "stalled": status in WITH_CARRIER and silent >= dt.timedelta(days=policy.stalled_after_days),
        "likely_lost": status == TrackingStatus.IN_TRANSIT
        and silent >= dt.timedelta(days=policy.likely_lost_after_days),
    }


def _flags_set(shipment: Shipment | ParcelState, *, now: dt.datetime, policy: Policy) -> tuple[list[str], list[str]]:
    """Set the flags on the (unsaved) shipment; return those raised and those cleared."""
    flags = shipment_flags(shipment, now=now, policy=policy)
    raised = [name for name in FLAG_NAMES if flags[name] and not getattr(shipment, name)]
    cleared = [name for name in FLAG_NAMES if not flags[name] and getattr(shipment, name)]
    if raised or cleared:
        for name, value in flags.items():
            setattr(shipment, name, value)
        shipment.flags_at = now
    return raised, cleared


def _flags_recorded(shipment: Shipment, *, actor: Actor, raised: list[str], cleared: list[str]) -> None:
    events.shipment_flags_changed(shipment=shipment, actor=actor, raised=raised, cleared=cleared)
    for name in ("likely_lost", "stalled"):
        if name in raised:
            _care_start(shipment, trigger=CareTrigger(name), actor=actor)


def _flags_write(shipment: Shipment, *, actor: Actor, now: dt.datetime, policy: Policy) -> bool:
    raised, cleared = _flags_set(shipment, now=now, policy=policy)
    if not raised and not cleared:
        return False
    shipment.save(update_fields=[*FLAG_NAMES, "flags_at"])
    _flags_recorded(shipment, actor=actor, raised=raised, cleared=cleared)
    return True


def shipment_flags_recompute(*, actor: Actor, shipment_ids: Iterable[int] | None = None, chunk: int = 500) -> int:
    """Recompute the flags of every parcel still on its way (or of ``shipment_ids``); return how many changed."""
    if actor.role not in (Role.SYSTEM, Role.ADMIN, Role.OPERATOR):
        raise PermissionDenied()
    policy = policy_current()
    qs = scope_to_actor(Shipment.objects.filter(OPEN_FILTER), actor, order_path="order__")
    if shipment_ids is not None:
        qs = qs.filter(pk__in=list(shipment_ids))
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            rows = (
                Shipment.objects.select_for_update()
                .select_related("order", "carrier")
                .filter(pk__in=ids[start : start + chunk])
            )
            now = clock.now()
            changed += sum(_flags_write(s, actor=actor, now=now, policy=policy) for s in rows.order_by("pk"))
    return changed
