"""The seller standards: each metric defined once, counted per shop by aggregate queries.

Every metric is a ratio of two counts over a **rolling window** of
``standards_window_days`` (90) ending at the moment of computation (``end``):
the window holds the orders with ``start <= placed_at < end`` ("orders in the
window"). Counts are of distinct orders (or first contacts), never of rows that
repeat an order, and are grouped by shop in the database: no per-order Python
at any size. A rate is compared with its policy threshold in integer basis
points, so "exactly at the threshold" is exact (it passes).

- **Defect rate** (at most ``max_defect_rate_bp``, 2 %): orders in the window
  with at least one case the buyer did not withdraw (any type, any state) ÷
  orders in the window.
- **Cases closed without seller resolution** (at most
  ``max_unresolved_case_rate_bp``, 0.3 %): orders in the window with a case the
  platform decided for the buyer (full or partial refund, replacement, return
  first) with the seller paying — the appeal decision when there is one, else
  the first — ÷ orders in the window.
- **Late shipment rate** (at most ``max_late_shipment_rate_bp``, 7 %): orders
  in the window, not cancelled, with at least one shipment ÷ …; late when any
  of its shipments left after its ship-by time. A shipment left at the carrier's
  first scan (``handed_over_at``), or when the seller confirmed it (the
  shipment's ``created_at``) while the carrier has not scanned it; its ship-by
  time is the shipment's ``ship_by``, or ``placed_at`` plus
  ``ship_within_business_days`` whole days when the marketplace sent none.
- **Valid tracking** (at least ``min_valid_tracking_rate_bp``, 95 %): orders in
  the window, not cancelled, with a shipment whose ship-by time has passed ÷ …;
  valid when such a shipment has a carrier scan: a tracking event mapped to a
  status past "label created" (in transit, out for delivery, failed attempt,
  ready for pickup, delivered, exception, returning, returned).
- **First replies within 24 h** (at least ``min_first_reply_rate_bp``, 95 %):
  buyers' first contacts about the shop's orders made in the window
  (``start <= contacted_at < end``) that were answered or whose
  ``first_reply_target_hours`` (24) have run out by ``end`` ÷ …; in time when
  the seller's first reply came at most 24 h after the contact.

Levels (``level_for``): fewer than ``standards_min_orders`` orders in the
window → standard (too few to judge); any metric failing → below standard;
every metric passing with at least ``top_rated_min_orders`` orders, a defect
rate at most ``top_rated_max_defect_rate_bp`` and late shipments at most
``top_rated_max_late_shipment_rate_bp`` → top rated; otherwise standard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import Case, Decision, DecisionOutcome, Payer, SellerContact
from marketdesk.cases.states import CaseStatus
from marketdesk.core.policies import Policy
from marketdesk.orders.models import Order
from marketdesk.orders.states import OrderStatus
from marketdesk.shipping.models import Shipment, TrackingEvent
from marketdesk.shipping.states import TrackingStatus
from marketdesk.standards.models import Level

BP = 10_000
BUYER_FAVOUR = (
    DecisionOutcome.BUYER_FULL_REFUND,
    DecisionOutcome.BUYER_PARTIAL_REFUND,
    DecisionOutcome.REPLACEMENT,
    DecisionOutcome.RETURN_FIRST,
)
# Statuses only a carrier's own scan produces ("label created" is the seller's, not the carrier's).
SCANNED = tuple(
    s
    for s in TrackingStatus.values
    if s not in (TrackingStatus.PENDING, TrackingStatus.INFO_RECEIVED, TrackingStatus.EXPIRED)
)
COUNT_FIELDS = (
    "orders",
    "defects",
    "unresolved_cases",
    "shipments_due",
    "shipped_late",
    "tracking_due",
    "tracking_valid",
    "contacts",
    "replied_in_time",
)


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def window_ending(end: dt.datetime, policy: Policy) -> Window:
    """Return the rolling window of the policy that ends at ``end``."""
    return Window(start=end - dt.timedelta(days=policy.standards_window_days), end=end)


@dataclass(frozen=True)
class Metric:
    """One standard: its counts, its threshold in the policy and which way it must not cross it."""

    code: str
    label: Any
    numerator: str
    denominator: str
    threshold_field: str
    at_most: bool  # True: the rate must stay at or below the threshold; False: at or above
    explanation: Any

    def threshold_bp(self, policy: Policy) -> int:
        return int(getattr(policy, self.threshold_field))


METRICS: tuple[Metric, ...] = (
    Metric(
        "defect_rate",
        _("Defect rate"),
        "defects",
        "orders",
        "max_defect_rate_bp",
        True,
        _("Orders with a case the buyer did not withdraw, of all orders in the last 90 days."),
    ),
    Metric(
        "unresolved_cases",
        _("Cases closed without seller resolution"),
        "unresolved_cases",
        "orders",
        "max_unresolved_case_rate_bp",
        True,
        _("Orders whose case the platform decided for the buyer at the seller's cost, of all orders."),
    ),
    Metric(
        "late_shipment",
        _("Late shipment rate"),
        "shipped_late",
        "shipments_due",
        "max_late_shipment_rate_bp",
        True,
        _("Shipped orders that left after their ship-by time, of all shipped orders."),
    ),
    Metric(
        "valid_tracking",
        _("Valid tracking"),
        "tracking_valid",
        "tracking_due",
        "min_valid_tracking_rate_bp",
        False,
        _("Shipped orders past their ship-by time that the carrier has scanned, of all such orders."),
    ),
    Metric(
        "first_reply",
        _("First replies within 24 hours"),
        "replied_in_time",
        "contacts",
        "min_first_reply_rate_bp",
        False,
        _("Buyers' first messages answered within 24 hours, of all first messages."),
    ),
)
METRICS_BY_CODE = {m.code: m for m in METRICS}


@dataclass
class Counts:
    """A shop's numerators and denominators (the fields of a snapshot)."""

    orders: int = 0
    defects: int = 0
    unresolved_cases: int = 0
    shipments_due: int = 0
    shipped_late: int = 0
    tracking_due: int = 0
    tracking_valid: int = 0
    contacts: int = 0
    replied_in_time: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


@dataclass(frozen=True)
class MetricResult:
    metric: Metric
    numerator: int
    denominator: int
    threshold_bp: int
    passed: bool
    rate_bp: int | None = field(default=None)  # rounded for display; None without a denominator


def metric_passes(metric: Metric, numerator: int, denominator: int, threshold_bp: int) -> bool:
    """Compare exactly: numerator / denominator against threshold_bp / 10,000 (no data passes)."""
    if denominator == 0:
        return True
    if metric.at_most:
        return numerator * BP <= threshold_bp * denominator
    return numerator * BP >= threshold_bp * denominator


def evaluate(counts: Any, policy: Policy) -> list[MetricResult]:
    """Return each metric's result for a snapshot (or ``Counts``) under ``policy``."""
    results = []
    for metric in METRICS:
        num, den = getattr(counts, metric.numerator), getattr(counts, metric.denominator)
        threshold = metric.threshold_bp(policy)
        results.append(
            MetricResult(
                metric=metric,
                numerator=num,
                denominator=den,
                threshold_bp=threshold,
                passed=metric_passes(metric, num, den, threshold),
                rate_bp=round(num * BP / den) if den else None,
            )
        )
    return results


def level_for(counts: Any, policy: Policy) -> str:
    """Return the level that the policy's rules give these counts."""
    if counts.orders < policy.standards_min_orders:
        return Level.STANDARD
    results = {r.metric.code: r for r in evaluate(counts, policy)}
    if not all(r.passed for r in results.values()):
        return Level.BELOW_STANDARD
    defect, late = METRICS_BY_CODE["defect_rate"], METRICS_BY_CODE["late_shipment"]
    top = (
        counts.orders >= policy.top_rated_min_orders
        and metric_passes(defect, counts.defects, counts.orders, policy.top_rated_max_defect_rate_bp)
        and metric_passes(late, counts.shipped_late, counts.shipments_due, policy.top_rated_max_late_shipment_rate_bp)
    )
    return Level.TOP_RATED if top else Level.STANDARD


# The rows behind each count: one queryset per definition, shared by the aggregate and the lists.


def window_orders(window: Window) -> QuerySet[Order]:
    return Order.objects.filter(placed_at__gte=window.start, placed_at__lt=window.end)


def defect_cases(window: Window) -> QuerySet[Case]:
    """Cases that make their order a defect."""
    return Case.objects.filter(order__placed_at__gte=window.start, order__placed_at__lt=window.end).exclude(
        status=CaseStatus.WITHDRAWN
    )


def unresolved_decisions(window: Window) -> QuerySet[Decision]:
    """Final decisions for the buyer at the seller's cost (an appeal decision replaces the first)."""
    overturned = Exists(Decision.objects.filter(case_id=OuterRef("case_id"), is_appeal=True))
    return Decision.objects.filter(
        case__order__placed_at__gte=window.start,
        case__order__placed_at__lt=window.end,
        outcome__in=BUYER_FAVOUR,
        payer=Payer.SELLER,
    ).filter(Q(is_appeal=True) | ~overturned)


def window_shipments(window: Window, policy: Policy) -> QuerySet[Any]:
    """Shipments of the window's orders with ``due`` (ship-by) and ``left_at`` annotated."""
    fallback = F("order__placed_at") + dt.timedelta(days=policy.ship_within_business_days)
    qs: QuerySet[Any] = Shipment.objects.all()
    return (
        qs.filter(order__placed_at__gte=window.start, order__placed_at__lt=window.end)
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(
            due=Coalesce("ship_by", fallback, output_field=DateTimeField()),
            left_at=Coalesce("handed_over_at", "created_at", output_field=DateTimeField()),
            scanned=Exists(TrackingEvent.objects.filter(shipment_id=OuterRef("pk"), status__in=SCANNED)),
        )
    )


def window_contacts(window: Window, policy: Policy) -> QuerySet[Any]:
    """First contacts that count: made in the window, answered or out of time by its end."""
    target = dt.timedelta(hours=policy.first_reply_target_hours)
    contacts: QuerySet[Any] = SellerContact.objects.all()
    return (
        contacts.filter(contacted_at__gte=window.start, contacted_at__lt=window.end)
        .filter(Q(seller_replied_at__isnull=False) | Q(contacted_at__lte=window.end - target))
        .annotate(reply_due=F("contacted_at") + target)
    )


LATE = Q(left_at__gt=F("due"))
IN_TIME = Q(seller_replied_at__lte=F("reply_due"))


def _grouped(qs: QuerySet[Any], key: str, **aggregates: Any) -> Iterable[dict[str, Any]]:
    return qs.order_by().values(key).annotate(**aggregates)


def counts_for_shops(shop_ids: list[int], *, window: Window, policy: Policy) -> dict[int, Counts]:
    """Count every metric for these shops in five grouped queries (one row per shop each)."""
    counts = {shop_id: Counts() for shop_id in shop_ids}
    for row in _grouped(window_orders(window).filter(shop_id__in=shop_ids), "shop_id", n=Count("id")):
        counts[row["shop_id"]].orders = row["n"]
    defects = defect_cases(window).filter(order__shop_id__in=shop_ids)
    for row in _grouped(defects, "order__shop_id", n=Count("order_id", distinct=True)):
        counts[row["order__shop_id"]].defects = row["n"]
    unresolved = unresolved_decisions(window).filter(case__order__shop_id__in=shop_ids)
    for row in _grouped(unresolved, "case__order__shop_id", n=Count("case__order_id", distinct=True)):
        counts[row["case__order__shop_id"]].unresolved_cases = row["n"]
    shipments = window_shipments(window, policy).filter(order__shop_id__in=shop_ids)
    past_due = Q(due__lte=window.end)
    for row in _grouped(
        shipments,
        "order__shop_id",
        due_n=Count("order_id", distinct=True),
        late_n=Count("order_id", distinct=True, filter=LATE),
        tracking_due_n=Count("order_id", distinct=True, filter=past_due),
        tracking_valid_n=Count("order_id", distinct=True, filter=past_due & Q(scanned=True)),
    ):
        shop = counts[row["order__shop_id"]]
        shop.shipments_due, shop.shipped_late = row["due_n"], row["late_n"]
        shop.tracking_due, shop.tracking_valid = row["tracking_due_n"], row["tracking_valid_n"]
    contacts = window_contacts(window, policy).filter(order__shop_id__in=shop_ids)
    for row in _grouped(contacts, "order__shop_id", n=Count("id"), in_time=Count("id", filter=IN_TIME)):
        counts[row["order__shop_id"]].contacts = row["n"]
        counts[row["order__shop_id"]].replied_in_time = row["in_time"]
    return counts
