"""Reads of risk signals: operators only (a buyer or seller never learns of them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from marketdesk.cases.protection import ProtectionNotice
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import placeholders, row_first
from marketdesk.core.errors import NotFound
from marketdesk.risk.models import BuyerRestriction, RiskSignal
from marketdesk.risk.states import BINDING_STATUSES, RestrictionStatus

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
    # Asked on every case opened: a plain statement, reading only what cases read of it.
    return row_first(
        BuyerRestriction,
        f'"buyer_id" = %s AND "status" IN ({placeholders(BINDING_STATUSES)}) AND "effective_at" <= %s',
        [buyer_id, *BINDING_STATUSES, now],
        order_by='"effective_at" DESC',
        fields=["effective_at"],
    )


# Buyer restrictions: the operators' list and page, the buyer's own page.

PAGE_SIZE = 25
#: A keyset cursor of the operators' list: (0 while the appeal waits, else 1; applied_at; id).
Cursor = tuple[int, dt.datetime, int]


def buyer_restrictions_for_actor(actor: Actor) -> QuerySet[BuyerRestriction]:
    """Return the restrictions the actor may see: operators their marketplace's, a buyer their own, nobody else any."""
    qs = BuyerRestriction.objects.select_related("buyer", "applied_by", "appeal_decided_by")
    if actor.role == Role.BUYER and actor.user is not None:
        return qs.filter(buyer=actor.user)
    if actor.role in STAFF and actor.marketplace_id is not None:
        return qs.filter(buyer__marketplace_id=actor.marketplace_id)
    if actor.role in STAFF:
        return qs
    return qs.none()


def buyer_restriction_get_for_actor(actor: Actor, *, pk: int) -> BuyerRestriction:
    """Return one restriction the actor may see, or raise NotFound (another buyer's too)."""
    row = buyer_restrictions_for_actor(actor).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def buyer_restrictions_page(
    actor: Actor, *, after: Cursor | None = None
) -> tuple[list[BuyerRestriction], Cursor | None]:
    """Return a page of restrictions for operators, those whose appeal waits first, then the newest; and the next cursor."""
    if actor.role not in STAFF:
        return [], None
    waiting = Case(
        When(status=RestrictionStatus.APPEALED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    qs = buyer_restrictions_for_actor(actor).annotate(rank=waiting).order_by("rank", "-applied_at", "-id")
    if after is not None:
        rank, at, pk = after
        qs = qs.filter(Q(rank__gt=rank) | Q(rank=rank, applied_at__lt=at) | Q(rank=rank, applied_at=at, id__lt=pk))
    rows: list[BuyerRestriction] = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not more:
        return rows, None
    last = rows[-1]
    return rows, (int(getattr(last, "rank", 1)), last.applied_at, last.pk)


def buyer_restriction_binding(buyer_id: int, *, now: dt.datetime) -> ProtectionNotice | None:
    """Return the buyer's binding restriction, in force or still in its notice, for Get help (cases ask this)."""
    row = (
        BuyerRestriction.objects.filter(buyer_id=buyer_id, status__in=BINDING_STATUSES)
        .only("pk", "effective_at")
        .order_by("-effective_at")
        .first()
    )
    if row is None:
        return None
    return ProtectionNotice(
        effective_at=row.effective_at,
        in_force=row.effective_at <= now,
        url=reverse("risk:buyer_restriction", args=[row.pk]),
    )


def buyer_has_risk(buyer_id: int, now: dt.datetime) -> bool:
    """Return whether the buyer has a risk signal or a restriction in force (returns ask before keep-the-item)."""
    return RiskSignal.objects.filter(buyer_id=buyer_id).exists() or (
        buyer_restriction_in_force(buyer_id, now=now) is not None
    )
