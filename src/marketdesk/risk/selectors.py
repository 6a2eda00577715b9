"""Reads of risk signals: operators only (a buyer or seller never learns of them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from marketdesk.core.actors import Actor, Role
from marketdesk.risk.models import BuyerRestriction, RiskSignal
from marketdesk.risk.states import BINDING_STATUSES

STAFF = (Role.OPERATOR, Role.ADMIN, Role.SYSTEM)


def risk_signals_for_party(
    actor: Actor, *, buyer_id: int | None = None, shop_id: int | None = None
) -> list[RiskSignal]:
    """Return one buyer's or shop's signals, for an operator (an empty list for anyone else)."""
    if actor.role not in STAFF:
        return []
    rows = (
        RiskSignal.objects.filter(buyer_id=buyer_id)
        if buyer_id is not None
        else RiskSignal.objects.filter(shop_id=shop_id or 0)
    )
    return list(rows)


def risk_kinds_for_page(
    actor: Actor, *, buyer_ids: Iterable[int] = (), shop_ids: Iterable[int] = ()
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Return the kinds of signal per buyer and per shop of a page, in one query (empty for anyone but operators)."""
    buyers: dict[int, list[str]] = defaultdict(list)
    shops: dict[int, list[str]] = defaultdict(list)
    buyer_ids, shop_ids = list(buyer_ids), list(shop_ids)
    if actor.role not in STAFF or not (buyer_ids or shop_ids):
        return {}, {}
    rows = RiskSignal.objects.filter(Q(buyer_id__in=buyer_ids) | Q(shop_id__in=shop_ids)).order_by("kind")
    for buyer_id, shop_id, kind in rows.values_list("buyer_id", "shop_id", "kind"):
        (buyers[buyer_id] if buyer_id is not None else shops[shop_id]).append(kind)
    return dict(buyers), dict(shops)


def buyer_restriction_in_force(buyer_id: int, *, now: dt.datetime) -> BuyerRestriction | None:
    """Return the buyer's binding restriction whose effective date has come, else None (cases ask this)."""
    return (
        BuyerRestriction.objects.filter(buyer_id=buyer_id, status__in=BINDING_STATUSES, effective_at__lte=now)
        .order_by("-effective_at")
        .first()
    )


def buyer_has_risk(buyer_id: int, now: dt.datetime) -> bool:
    """Return whether the buyer has a risk signal or a restriction in force (returns ask before keep-the-item)."""
    return RiskSignal.objects.filter(buyer_id=buyer_id).exists() or (
        buyer_restriction_in_force(buyer_id, now=now) is not None
    )
