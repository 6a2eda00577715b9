"""Writes of risk signals: the periodic computation over every party, and a recompute for one.

Signals are computed set-based (``risk.signals``: a few aggregate queries per kind for all parties at
once) and stored as one ``RiskSignal`` per party and kind; pages read the rows, never the computation.
A buyer whose signals change is told to the marketplace by the ``buyer.risk_changed`` webhook.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.policies import policy_current
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.risk.models import RiskSignal
from marketdesk.risk.signals import BUYER_FINDERS, SHOP_FINDERS, Evidence, Found

BUYER_RISK_CHANGED = "buyer.risk_changed"


def _find(finders: Iterable, since: dt.datetime, ids: list[int] | None) -> Found:
    policy = policy_current()
    found: Found = {}
    for finder in finders:
        found.update(finder(policy, since, ids))
    return found


def _shape(evidence: Evidence) -> dict[str, object]:
    return {
        "order_ids": sorted(evidence.order_ids),
        "case_ids": sorted(evidence.case_ids),
        "return_ids": sorted(evidence.return_ids),
        "detail": evidence.detail,
    }


def _store(party: str, found: Found, ids: list[int] | None, now: dt.datetime) -> set[int]:
    """Make the rows of ``party`` (in scope) what was found; return the ids of the parties whose rows changed."""
    rows = RiskSignal.objects.select_for_update().filter(**{f"{party}__isnull": False})
    if ids is not None:
        rows = rows.filter(**{f"{party}_id__in": ids})
    existing = {(row.kind, getattr(row, f"{party}_id")): row for row in rows.order_by("id")}
    changed: set[int] = set()
    for key, gone in existing.items():
        if key not in found:
            gone.delete()
            changed.add(key[1])
    for (kind, party_id), evidence in found.items():
        shape = _shape(evidence)
        row = existing.get((kind, party_id))
        if row is None:
            RiskSignal.objects.create(**{f"{party}_id": party_id}, kind=kind, computed_at=now, **shape)
            changed.add(party_id)
        elif {name: getattr(row, name) for name in shape} != shape:
            for name, value in shape.items():
                setattr(row, name, value)
            row.computed_at = now
            row.save(update_fields=[*shape, "computed_at"])
            changed.add(party_id)
    return changed


def _tell_marketplaces(buyer_ids: set[int], now: dt.datetime) -> None:
    """Send each changed buyer's signals (kinds and counts, no evidence ids: those are the operators')."""
    kinds: dict[int, list[str]] = defaultdict(list)
    for buyer_id, kind in (
        RiskSignal.objects.filter(buyer_id__in=buyer_ids).order_by("kind").values_list("buyer_id", "kind")
    ):
        kinds[buyer_id].append(kind)
    buyers = (
        get_user_model()
        .objects.filter(pk__in=buyer_ids)
        .order_by("pk")
        .values_list("pk", "marketplace_id", "external_id")
    )
    for buyer_id, marketplace_id, external_id in buyers:
        webhook_event_emit(
            marketplace_id=marketplace_id,
            event_type=BUYER_RISK_CHANGED,
            data={"buyer": external_id, "signals": kinds[buyer_id]},
            event_id=f"buyer-risk-{buyer_id}-{now.isoformat()}",
        )


def risk_signals_refresh(*, buyer_ids: list[int] | None = None, shop_ids: list[int] | None = None) -> int:
    """Recompute the signals of the given buyers and shops (every one when both are None); return how many parties changed."""
    now = clock.now()
    since = now - dt.timedelta(days=policy_current().risk_window_days)
    everyone = buyer_ids is None and shop_ids is None
    with transaction.atomic():
        changed_buyers: set[int] = set()
        changed_shops: set[int] = set()
        if everyone or buyer_ids is not None:
            changed_buyers = _store("buyer", _find(BUYER_FINDERS, since, buyer_ids), buyer_ids, now)
        if everyone or shop_ids is not None:
            changed_shops = _store("shop", _find(SHOP_FINDERS, since, shop_ids), shop_ids, now)
        if changed_buyers:
            _tell_marketplaces(changed_buyers, now)
    return len(changed_buyers) + len(changed_shops)


def risk_recompute(*, actor: Actor, buyer_id: int | None = None, shop_id: int | None = None) -> int:
    """Recompute one buyer's or one shop's signals now, as an operator asks; return how many parties changed."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN, Role.SYSTEM):
        raise PermissionDenied(_("Only the platform's operators see risk signals."))
    return risk_signals_refresh(
        buyer_ids=[buyer_id] if buyer_id is not None else [], shop_ids=[shop_id] if shop_id is not None else []
    )
