"""Each risk signal defined once, counted for many parties at a time by set-based queries.

A finder takes the policy, the window's start and an optional scope (the buyers or shops to look at;
None for all) and returns, per party, the evidence behind the signal. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from marketdesk.cases.models import Case, CaseType
from marketdesk.core.policies import Policy
from marketdesk.orders.models import Order
from marketdesk.returns.models import Condition, Return, ReturnLine
from marketdesk.risk.models import RiskKind
from marketdesk.shipping.models import TrackingEvent
from marketdesk.shipping.states import TrackingStatus

#: What a carrier's delivered event says of its proof (``raw["proof"]``) that makes it proof.
DELIVERY_PROOFS = ("signature", "photo")


@dataclass
class Evidence:
    """The orders, cases and returns one signal rests on."""

    order_ids: set[int] = field(default_factory=set)
    case_ids: set[int] = field(default_factory=set)
    return_ids: set[int] = field(default_factory=set)
    detail: str = ""

    def add(self, *, order_id: int, case_id: int | None = None, return_id: int | None = None) -> None:
        self.order_ids.add(order_id)
        if case_id is not None:
            self.case_ids.add(case_id)
        if return_id is not None:
            self.return_ids.add(return_id)


#: (kind, party id) → evidence.
Found = dict[tuple[str, int], Evidence]


def _scoped(qs: QuerySet, field_name: str, ids: Iterable[int] | None) -> QuerySet:
    return qs if ids is None else qs.filter(**{f"{field_name}__in": list(ids)})


def _collect(
    kind: str, rows: Iterable[tuple[int, int, int | None, int | None]], keep: Callable[[Evidence], bool]
) -> Found:
    by_party: dict[int, Evidence] = defaultdict(Evidence)
    for party_id, order_id, case_id, return_id in rows:
        by_party[party_id].add(order_id=order_id, case_id=case_id, return_id=return_id)
    return {(kind, party_id): evidence for party_id, evidence in by_party.items() if keep(evidence)}


def claim_rate(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers whose cases in the window reach the policy's count and rate per order placed in it."""
    cases = _scoped(Case.objects.filter(opened_at__gte=since), "buyer_id", buyer_ids)
    counts = dict(
        cases.values("buyer_id")
        .annotate(n=Count("id"))
        .filter(n__gte=policy.risk_min_claims)
        .values_list("buyer_id", "n")
    )
    if not counts:
        return {}
    orders = dict(
        Order.objects.filter(buyer_id__in=list(counts), placed_at__gte=since)
        .values("buyer_id")
        .annotate(n=Count("id"))
        .values_list("buyer_id", "n")
    )
    # A claim about an order placed before the window still counts the order once, so a rate never exceeds 100 %.
    flagged = [b for b, n in counts.items() if n * 10000 >= policy.risk_claim_rate_bp * max(orders.get(b, 0), n)]
    rows = cases.filter(buyer_id__in=flagged).values_list("buyer_id", "order_id", "id")
    return _collect(RiskKind.CLAIM_RATE, ((b, o, c, None) for b, o, c in rows), lambda e: True)


def not_received_with_proof(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers claiming "not received" on orders whose parcel the carrier delivered with signature or photo."""
    delivered_with_proof = TrackingEvent.objects.filter(
        status=TrackingStatus.DELIVERED, raw__proof__in=DELIVERY_PROOFS
    ).values("shipment__order_id")
    cases = _scoped(
        Case.objects.filter(
            opened_at__gte=since, case_type=CaseType.ITEM_NOT_RECEIVED, order_id__in=delivered_with_proof
        ),
        "buyer_id",
        buyer_ids,
    )
    rows = cases.values_list("buyer_id", "order_id", "id")
    least = policy.risk_min_not_received_with_proof
    return _collect(
        RiskKind.NOT_RECEIVED_WITH_PROOF, ((b, o, c, None) for b, o, c in rows), lambda e: len(e.case_ids) >= least
    )


def quick_claims(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers opening cases within the policy's hours of their order's delivery."""
    after_delivery = ExpressionWrapper(F("opened_at") - F("order__delivered_at"), output_field=DurationField())
    cases = _scoped(
        Case.objects.filter(opened_at__gte=since, order__delivered_at__isnull=False)
        .annotate(after_delivery=after_delivery)
        .filter(
            after_delivery__gte=dt.timedelta(0), after_delivery__lte=dt.timedelta(hours=policy.risk_quick_claim_hours)
        ),
        "buyer_id",
        buyer_ids,
    )
    rows = cases.values_list("buyer_id", "order_id", "id")
    least = policy.risk_min_quick_claims
    return _collect(RiskKind.QUICK_CLAIMS, ((b, o, c, None) for b, o, c in rows), lambda e: len(e.case_ids) >= least)


def late_returns(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers whose returns in the window were all asked for in its last days (and at least the policy's many)."""
    returns = _scoped(Return.objects.filter(requested_at__gte=since), "buyer_id", buyer_ids)
    last_days = dt.timedelta(days=policy.risk_late_return_days)
    late = Q(requested_at__gte=F("window_closes_at") - last_days)
    counts = returns.values("buyer_id").annotate(n=Count("id"), late=Count("id", filter=late))
    flagged = [r["buyer_id"] for r in counts if r["n"] == r["late"] and r["n"] >= policy.risk_min_late_returns]
    rows = returns.filter(buyer_id__in=flagged).values_list("buyer_id", "order_id", "id")
    return _collect(RiskKind.LATE_RETURNS, ((b, o, None, r) for b, o, r in rows), lambda e: True)


def inspection_mismatches(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers whose returned parcels held items missing or fewer than those the return named."""
    lines = _scoped(
        ReturnLine.objects.filter(inspected_at__gte=since).filter(
            Q(condition=Condition.MISSING) | Q(accepted_quantity__lt=F("quantity"))
        ),
        "ret__buyer_id",
        buyer_ids,
    )
    rows = lines.values_list("ret__buyer_id", "ret__order_id", "ret_id")
    least = policy.risk_min_inspection_mismatches
    return _collect(
        RiskKind.INSPECTION_MISMATCH, ((b, o, None, r) for b, o, r in rows), lambda e: len(e.return_ids) >= least
    )


def repeated_not_as_described(policy: Policy, since: dt.datetime, shop_ids: Iterable[int] | None) -> Found:
    """Shops with many "not as described" cases on one listing (SKU); the most claimed SKU is the detail."""
    cases = _scoped(
        Case.objects.filter(opened_at__gte=since, case_type=CaseType.NOT_AS_DESCRIBED).exclude(line__sku=""),
        "shop_id",
        shop_ids,
    ).filter(line__isnull=False)
    per_sku = (
        cases.values("shop_id", "line__sku")
        .annotate(n=Count("id"))
        .filter(n__gte=policy.risk_min_not_as_described_per_sku)
        .order_by("shop_id", "-n", "line__sku")
    )
    top: dict[int, str] = {}
    for row in per_sku:
        top.setdefault(row["shop_id"], row["line__sku"])
    found: Found = {}
    rows = cases.filter(shop_id__in=list(top)).values_list("shop_id", "line__sku", "order_id", "id")
    for shop_id, sku, order_id, case_id in rows:
        if sku != top[shop_id]:
            continue
        evidence = found.setdefault((RiskKind.REPEATED_NOT_AS_DESCRIBED, shop_id), Evidence(detail=sku))
        evidence.add(order_id=order_id, case_id=case_id)
    return found


#: The longest list of other accounts a shared signal names (the field holds 100 characters).
DETAIL_LENGTH = 100


def _shared(kind: str, column: str, least: int, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers among at least ``least`` accounts whose orders in the window carry one value of ``column``.

    The evidence is every order of the ring (the buyer's and the others'), the detail the other accounts.
    An empty value is no value: it never ties two buyers.
    """
    orders = Order.objects.filter(placed_at__gte=since).exclude(**{column: ""})
    keys = (
        orders
        if buyer_ids is None
        else orders.filter(**{f"{column}__in": _scoped(orders, "buyer_id", buyer_ids).values(column)})
    )
    rings = {
        (marketplace_id, value)
        for marketplace_id, value in keys.values("marketplace_id", column)
        .annotate(n=Count("buyer_id", distinct=True))
        .filter(n__gte=least)
        .values_list("marketplace_id", column)
    }
    if not rings:
        return {}
    members: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    ring_orders: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = orders.filter(**{f"{column}__in": {value for _m, value in rings}}).values_list(
        "marketplace_id", column, "buyer_id", "buyer__external_id", "id"
    )
    for marketplace_id, value, buyer_id, external_id, order_id in rows:
        if (marketplace_id, value) in rings:  # one value in two marketplaces is two rings, never one
            members[(marketplace_id, value)][buyer_id] = external_id
            ring_orders[(marketplace_id, value)].add(order_id)
    wanted = None if buyer_ids is None else set(buyer_ids)
    found: Found = {}
    others: dict[int, set[str]] = defaultdict(set)
    for ring, buyers in members.items():
        for buyer_id in buyers:
            if wanted is not None and buyer_id not in wanted:
                continue
            evidence = found.setdefault((kind, buyer_id), Evidence())
            evidence.order_ids |= ring_orders[ring]
            others[buyer_id] |= {ext for other, ext in buyers.items() if other != buyer_id}
    for (_kind, buyer_id), evidence in found.items():
        detail = ", ".join(sorted(others[buyer_id]))
        evidence.detail = detail if len(detail) <= DETAIL_LENGTH else detail[: DETAIL_LENGTH - 1] + "…"
    return found


def shared_address(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers whose orders in the window go to a delivery address (its keyed hash) other accounts' orders go to."""
    return _shared(
        RiskKind.SHARED_ADDRESS, "delivery_address_hash", policy.risk_min_accounts_per_address, since, buyer_ids
    )


def shared_payment(policy: Policy, since: dt.datetime, buyer_ids: Iterable[int] | None) -> Found:
    """Buyers whose orders in the window were paid with a payment fingerprint other accounts paid with."""
    return _shared(
        RiskKind.SHARED_PAYMENT, "payment_fingerprint", policy.risk_min_accounts_per_payment, since, buyer_ids
    )


BUYER_FINDERS = (
    claim_rate,
    not_received_with_proof,
    quick_claims,
    late_returns,
    inspection_mismatches,
    shared_address,
    shared_payment,
)
SHOP_FINDERS = (repeated_not_as_described,)
