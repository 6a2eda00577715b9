"""Reads of seller standards, scoped to the actor: a seller reads its own shops, operators their marketplace's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import placeholders, row_first
from marketdesk.core.errors import NotFound
from marketdesk.core.policies import Policy, policy_at, policy_current
from marketdesk.orders.models import Shop
from marketdesk.standards import metrics
from marketdesk.standards.models import Enforcement, JobScope, StandardsJob, StandardsSnapshot
from marketdesk.standards.states import BINDING_STATUSES, SEVERITY, EnforcementKind, EnforcementStatus

STAFF = (Role.OPERATOR, Role.ADMIN)
TREND_DAYS = 90
BEHIND_LIMIT = 25


def shops_for_actor(actor: Actor) -> QuerySet[Shop]:
    """Return the shops whose standing the actor may read."""
    if actor.role == Role.SELLER and actor.user is not None:
        return Shop.objects.filter(memberships__user=actor.user)
    if actor.role in (*STAFF, Role.MARKETPLACE) and actor.marketplace_id is not None:
        return Shop.objects.filter(marketplace_id=actor.marketplace_id)
    if actor.role in (*STAFF, Role.SYSTEM):
        return Shop.objects.all()
    return Shop.objects.none()


def shop_get_for_actor(actor: Actor, *, pk: int) -> Shop:
    """Return one shop the actor may read the standing of, or raise NotFound."""
    shop = shops_for_actor(actor).filter(pk=pk).first()
    if shop is None:
        raise NotFound()
    return shop


def shops_with_standing(actor: Actor, *, level: str = "") -> QuerySet[Shop]:
    """Return the actor's shops with their latest level and day annotated, those below standard first."""
    latest = StandardsSnapshot.objects.filter(shop=OuterRef("pk")).order_by("-day")
    qs = shops_for_actor(actor).annotate(
        level=Subquery(latest.values("level")[:1]), level_day=Subquery(latest.values("day")[:1])
    )
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("level", "name", "pk")


@dataclass
class Standing:
    """A shop's latest snapshot, each metric's result under the policy it was computed with, and its trend."""

    shop: Shop
    snapshot: StandardsSnapshot | None
    policy: Policy
    results: list[metrics.MetricResult]
    trend: list[StandardsSnapshot]


def standing_for(actor: Actor, shop: Shop) -> Standing:
    """Return the standing of a shop the actor may read (the shop must come from a selector)."""
    since = clock.now().date() - dt.timedelta(days=TREND_DAYS)
    trend = list(StandardsSnapshot.objects.filter(shop=shop, day__gte=since).order_by("day"))
    snapshot = trend[-1] if trend else None
    policy = policy_version_of(snapshot)
    results = metrics.evaluate(snapshot, policy) if snapshot is not None else []
    return Standing(shop=shop, snapshot=snapshot, policy=policy, results=results, trend=trend)


def shop_level_latest(shop_id: int) -> str | None:
    """Return the level of a shop's latest standards snapshot, or None before its first (the guarantee's hook)."""
    return StandardsSnapshot.objects.filter(shop_id=shop_id).order_by("-day").values_list("level", flat=True).first()


def policy_version_of(snapshot: StandardsSnapshot | None) -> Policy:
    if snapshot is None:
        return policy_current()
    try:
        return policy_at(snapshot.policy_version)
    except Exception:  # noqa: BLE001 - a version that is gone reads as today's rules
        return policy_current()


def enforcements_for(actor: Actor, shop: Shop, *, applied_only: bool = False) -> QuerySet[Enforcement]:
    """Return a shop's measures: operators every one, the seller those applied (never proposals);
    ``applied_only`` gives operators the seller's list too."""
    qs = Enforcement.objects.filter(shop=shop).select_related("applied_by", "appeal_decided_by")
    if actor.role in STAFF and not applied_only:
        return qs
    return qs.exclude(status__in=(EnforcementStatus.PROPOSED, EnforcementStatus.DISMISSED))


def enforcement_get_for_actor(actor: Actor, *, pk: int) -> Enforcement:
    """Return one measure the actor may see, or raise NotFound."""
    shop_ids = shops_for_actor(actor).values("pk")
    qs = Enforcement.objects.filter(shop_id__in=shop_ids).select_related("shop")
    if actor.role not in STAFF:
        qs = qs.exclude(status__in=(EnforcementStatus.PROPOSED, EnforcementStatus.DISMISSED))
    enforcement = qs.filter(pk=pk).first()
    if enforcement is None:
        raise NotFound()
    return enforcement


def binding_enforcements(shop: Shop) -> list[Enforcement]:
    return list(Enforcement.objects.filter(shop=shop, status__in=BINDING_STATUSES))


def suspended_shop_ids(*, now: dt.datetime | None = None) -> QuerySet[Enforcement, Any]:
    """Return (as a subquery of shop ids) the shops whose suspension is in force now. Not scoped: for the system."""
    return Enforcement.objects.filter(
        kind=EnforcementKind.SUSPENSION, status__in=BINDING_STATUSES, effective_at__lte=now or clock.now()
    ).values("shop_id")


def heaviest_binding(shop_ids: list[int], *, in_force_at: dt.datetime | None = None) -> dict[int, Enforcement]:
    """Return each shop's heaviest binding measure (applied, not ended), one query; with ``in_force_at``, only
    those past their effective date then. Not scoped: for callers that already hold the shops, and the system."""
    rows = Enforcement.objects.filter(shop_id__in=shop_ids, status__in=BINDING_STATUSES)
    if in_force_at is not None:
        rows = rows.filter(effective_at__lte=in_force_at)
    found: dict[int, Enforcement] = {}
    for measure in rows.order_by("effective_at", "pk"):
        held = found.get(measure.shop_id)
        if held is None or SEVERITY[measure.kind] > SEVERITY[held.kind]:
            found[measure.shop_id] = measure
    return found


def measures_in_force(shop_ids: list[int], *, now: dt.datetime | None = None) -> dict[int, Enforcement]:
    """Return each shop's heaviest measure in force now (applied, past its effective date, not ended); one query.

    Not scoped: the caller already holds the shops (from a selector) and asks what they are held to.
    """
    return heaviest_binding(shop_ids, in_force_at=now or clock.now())


def suspension_in_force(shop_id: int, *, now: dt.datetime | None = None) -> Enforcement | None:
    """Return the shop's suspension if one is in force now (its heaviest measure in force is a suspension)."""
    # The heaviest kind there is: any suspension in force is the heaviest measure, the first one as
    # heaviest_binding keeps it. Asked on every case opened: a plain statement, reading only the id cases keep.
    return row_first(
        Enforcement,
        f'"shop_id" = %s AND "kind" = %s AND "status" IN ({placeholders(BINDING_STATUSES)}) AND "effective_at" <= %s',
        [shop_id, EnforcementKind.SUSPENSION, *BINDING_STATUSES, now or clock.now()],
        order_by='"effective_at", "id"',
        fields=["pk"],
    )


def proposals_for_actor(actor: Actor) -> QuerySet[Enforcement]:
    """Return the measures proposed by the standards and waiting for an operator."""
    return (
        Enforcement.objects.filter(shop__in=shops_for_actor(actor), status=EnforcementStatus.PROPOSED)
        .select_related("shop", "snapshot")
        .order_by("proposed_at", "pk")
    )


def jobs_for_actor(actor: Actor) -> QuerySet[StandardsJob]:
    """Return the standards runs an operator may follow (their marketplace's and the nightly ones)."""
    if actor.role not in STAFF:
        return StandardsJob.objects.none()
    qs = StandardsJob.objects.select_related("shop")
    if actor.marketplace_id is not None:
        qs = qs.filter(
            Q(marketplace_id=actor.marketplace_id)
            | Q(shop__marketplace_id=actor.marketplace_id)
            | Q(scope=JobScope.ALL, marketplace__isnull=True)
        )
    return qs


def job_get_for_actor(actor: Actor, *, pk: int) -> StandardsJob:
    job = jobs_for_actor(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job


@dataclass(frozen=True)
class Behind:
    """One order counted against a metric, with the case that made it count (if any)."""

    order_id: int
    order_number: str
    case_id: int | None
    when: dt.datetime | None


def behind_metric(shop: Shop, code: str, snapshot: StandardsSnapshot, policy: Policy) -> list[Behind]:
    """Return the orders (and cases) that count against metric ``code`` in the snapshot's window."""
    window = metrics.Window(start=snapshot.window_start, end=snapshot.window_end)
    rows: list[Any]
    if code == "defect_rate":
        rows = list(
            metrics.defect_cases(window)
            .filter(order__shop=shop)
            .order_by("-opened_at")
            .values_list("order_id", "order__external_id", "pk", "opened_at")[:BEHIND_LIMIT]
        )
    elif code == "unresolved_cases":
        rows = list(
            metrics.unresolved_decisions(window)
            .filter(case__order__shop=shop)
            .order_by("-decided_at")
            .values_list("case__order_id", "case__order__external_id", "case_id", "decided_at")[:BEHIND_LIMIT]
        )
    elif code == "late_shipment":
        rows = list(
            metrics.window_shipments(window, policy)
            .filter(order__shop=shop)
            .filter(metrics.LATE)
            .order_by("-left_at")
            .values_list("order_id", "order__external_id", "pk", "left_at")[:BEHIND_LIMIT]
        )
        rows = [(o, n, None, w) for o, n, _pk, w in rows]
    elif code == "valid_tracking":
        rows = list(
            metrics.window_shipments(window, policy)
            .filter(order__shop=shop, due__lte=window.end, scanned=False)
            .order_by("-due")
            .values_list("order_id", "order__external_id", "due")[:BEHIND_LIMIT]
        )
        rows = [(o, n, None, w) for o, n, w in rows]
    elif code == "first_reply":
        rows = list(
            metrics.window_contacts(window, policy)
            .filter(order__shop=shop)
            .exclude(metrics.IN_TIME)
            .order_by("-contacted_at")
            .values_list("order_id", "order__external_id", "contacted_at")[:BEHIND_LIMIT]
        )
        rows = [(o, n, None, w) for o, n, w in rows]
    else:
        raise NotFound()
    seen: set[int] = set()
    behind = []
    for order_id, number, case_id, when in rows:
        if order_id in seen:
            continue
        seen.add(order_id)
        behind.append(Behind(order_id=order_id, order_number=number, case_id=case_id, when=when))
    return behind
