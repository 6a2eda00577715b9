"""The order's situation, computed once: where each line and parcel is, whether the order is late and
why, what the buyer may do now and from / until when, and the next deadline with whose clock it is.

Why here, in its own app above cases, returns, shipping and the ledger: the situation is built from
all of them (the order, its lines, parcels, refunds, returns and cases), and the orders app, the
substrate, may not import them. Every page that speaks about an order (the order page, hints, Get
help, the returns page, both parties' case lists) and the API read this one model instead of
recomputing the rules; the rules themselves stay with their owners and are only called from here:
``cases.eligibility`` (when a case can be opened), ``returns.services.return_window_days`` (how long
items may be returned), ``shipping.eligibility`` (whether the delivery can still change) and
``console.deadlines`` (every clock on a case or return, running or paused). Pages on the floors below
reach it through ``orders.situation.order_situation()``, where this module is registered.

Cheap by construction: ``situations_read(orders)`` reads any number of orders in the same fixed set
of queries (lines, parcels and their lines, seller contacts, cases with their questions and decisions,
refunds, returns with their lines, the shops' return policies); one order is a list of one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from marketdesk.cases.eligibility import Eligibility, case_eligibility, type_window
from marketdesk.cases.models import Case, CaseType, SellerContact
from marketdesk.cases.states import OPEN_STATUSES
from marketdesk.console.deadlines import Calendars, Clock, case_clocks, return_clock
from marketdesk.core import clock
from marketdesk.core.calendar import WorkCalendar, due_at
from marketdesk.core.policies import Policy
from marketdesk.ledger.models import EntryKind, LedgerEntry
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Return, ReturnLine, ShopReturnPolicy
from marketdesk.returns.services.windows import ReturnEligibility, return_eligibility, return_window_days
from marketdesk.returns.states import ACTIVE_STATUSES
from marketdesk.shipping.eligibility import ChangeVerdict, delivery_change_verdict
from marketdesk.shipping.models import Shipment, ShipmentLine
from marketdesk.shipping.selectors import parcels_delivered_at
from marketdesk.shipping.states import BEFORE_HANDOVER, FINAL, ExceptionReason, TrackingStatus

#: Orders whose goods are no longer owed: nothing about them can be late, returned or claimed as undelivered.
SETTLED = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)

#: The causes of lateness from the most to the least telling: the first one found on any parcel is shown.
CAUSE_ORDER = ("likely_lost", "exception", "customs", "stalled", "not_shipped", "delayed")


class Where:
    """Where a line or a parcel is."""

    NOT_SHIPPED = "not_shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


def _parcel_where(shipment: Shipment) -> str:
    if shipment.tracking_status in BEFORE_HANDOVER:
        return Where.NOT_SHIPPED
    if shipment.tracking_status == TrackingStatus.DELIVERED:
        return Where.DELIVERED
    if shipment.tracking_status in FINAL or shipment.tracking_status == TrackingStatus.RETURNING_TO_SENDER:
        return Where.RETURNED
    return Where.IN_TRANSIT


@dataclass(frozen=True, slots=True)
class ParcelSituation:
    shipment: Shipment
    where: str
    #: Whether the delivery can still change, and how (None once the parcel has arrived or is back).
    change: ChangeVerdict | None


@dataclass(frozen=True, slots=True)
class LineSituation:
    line: OrderLine
    where: str
    #: How many of it are not in a return yet (whether a return may start now is ``return_option``).
    returnable: int


@dataclass(frozen=True, slots=True)
class Lateness:
    """Why the order is late: the likeliest cause, the parcel it comes from (None: nothing shipped), the promise."""

    cause: str
    shipment: Shipment | None
    due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class NextDeadline:
    """The deadline that matters next on the order: a case's or a return's clock."""

    clock: Clock
    subject: str  # "case" or "return"
    subject_id: int


@dataclass
class OrderSituation:
    """One order's situation at ``now`` (see the module docstring); pure data once read."""

    order: Order
    now: dt.datetime
    policy: Policy
    calendar: WorkCalendar
    delivered_at: dt.datetime | None
    parcels: list[ParcelSituation]
    lines: list[LineSituation]
    lateness: Lateness | None
    contact: SellerContact | None
    cases: list[Case]
    refunds: list[LedgerEntry]
    returns: list[Return]
    return_option: ReturnEligibility
    clocks: dict[tuple[str, int], list[Clock]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.order.status

    @property
    def status_label(self) -> str:
        return str(OrderStatus(self.order.status).label) if self.order.status in OrderStatus.values else self.status

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def settled(self) -> bool:
        return self.order.status in SETTLED

    @property
    def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.status in OPEN_STATUSES]

    @property
    def shipments(self) -> list[Shipment]:
        return [p.shipment for p in self.parcels]

    @property
    def delivery_changes(self) -> list[ParcelSituation]:
        """The parcels still on their way (or not yet handed over), each with whether its delivery can change."""
        return [p for p in self.parcels if p.change is not None]

    def case_window(self, case_type: str) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Return the (opens, closes) window of a case type on this order; None means unbounded."""
        return type_window(order=self.order, case_type=case_type, policy=self.policy, delivered_at=self.delivered_at)

    def case_option(self, case_type: str, *, line_id: int | None = None) -> Eligibility:
        """Return whether a case of ``case_type`` on one line (or the whole order) may be opened now, from and until when."""
        # The same overlap as cases.selectors.case_open_overlapping: a whole-order case covers every line, and a
        # new whole-order case would repeat any open case of its reason.
        open_case = next(
            (
                c
                for c in self.open_cases
                if c.case_type == case_type and (line_id is None or c.line_id in (None, line_id))
            ),
            None,
        )
        return case_eligibility(
            order=self.order,
            case_type=case_type,
            contact=self.contact,
            now=self.now,
            delivered_at=self.delivered_at,
            open_case=open_case,
            policy=self.policy,
        )

    @property
    def protection_case_type(self) -> str:
        """The buyer-protection claim that fits the order now: not as described once delivered, else not received."""
        return CaseType.NOT_AS_DESCRIBED if self.delivered else CaseType.ITEM_NOT_RECEIVED

    def case_clock(self, case: Case) -> Clock | None:
        """Return the clock a case shows now: the earliest running one, else a paused one; None once closed."""
        found = self.clocks.get(("case", case.pk), [])
        return found[0] if found else None

    @property
    def next_deadline(self) -> NextDeadline | None:
        """The nearest running deadline of an open case or return (a paused clock only when nothing runs)."""
        found = [NextDeadline(clk, subject, pk) for (subject, pk), clocks in self.clocks.items() for clk in clocks]
        if not found:
            return None
        return min(found, key=lambda d: (d.clock.paused, d.clock.due_at, d.subject, d.subject_id))

    def as_data(self) -> dict[str, Any]:
        """Return the situation as the API shows it (plain data; see ``orders.schemas.OrderSituationOut``)."""
        late = self.lateness
        nxt = self.next_deadline
        cases = []
        for case_type in CaseType.values:
            option = self.case_option(case_type)
            cases.append(
                {
                    "case_type": case_type,
                    "allowed": option.allowed,
                    "reason": option.reason,
                    "opens_at": option.opens_at,
                    "closes_at": option.closes_at,
                }
            )
        return {
            "status": self.status,
            "status_label": self.status_label,
            "delivered_at": self.delivered_at,
            "late": {
                "cause": late.cause,
                "due_at": late.due,
                "tracking_number": late.shipment.tracking_number if late.shipment else None,
            }
            if late
            else None,
            "parcels": [
                {
                    "tracking_number": p.shipment.tracking_number,
                    "where": p.where,
                    "tracking_status": p.shipment.tracking_status,
                    "change_delivery": {
                        "allowed": p.change.allowed,
                        "route": p.change.route,
                        "reason": p.change.reason,
                    }
                    if p.change
                    else None,
                }
                for p in self.parcels
            ],
            "lines": [
                {"external_id": ls.line.external_id, "where": ls.where, "returnable_quantity": ls.returnable}
                for ls in self.lines
            ],
            "contact_seller": True,
            "return_option": {
                "allowed": self.return_option.allowed,
                "reason": self.return_option.reason,
                "closes_at": self.return_option.closes_at,
            },
            "cases": cases,
            "next_deadline": {
                "due_at": nxt.clock.due_at,
                "whose": nxt.clock.owner,
                "purpose": str(nxt.clock.purpose),
                "paused": nxt.clock.paused,
                "subject": nxt.subject,
                "subject_id": nxt.subject_id,
            }
            if nxt
            else None,
        }


# Building it


def _late_cause(shipment: Shipment, now: dt.datetime, order_due: dt.datetime | None) -> str | None:
    if shipment.likely_lost:
        return "likely_lost"
    if shipment.tracking_status == TrackingStatus.EXCEPTION:
        return "customs" if shipment.exception_reason == ExceptionReason.CUSTOMS else "exception"
    if shipment.stalled:
        return "stalled"
    if shipment.late_to_ship:
        return "not_shipped"
    due = shipment.estimated_to or order_due
    if shipment.delayed or (due is not None and now > due):
        return "not_shipped" if shipment.tracking_status in BEFORE_HANDOVER else "delayed"
    return None


def _lateness(order: Order, shipments: list[Shipment], delivered: bool, now: dt.datetime) -> Lateness | None:
    """Return why the order is late, or None: a delivered, cancelled or refunded order never is."""
    if delivered or order.status in SETTLED:
        return None
    due = order.estimated_delivery_at
    causes = [
        (cause, s)
        for s in shipments
        if s.tracking_status not in FINAL and (cause := _late_cause(s, now, order.estimated_delivery_at))
    ]
    if not causes:
        if shipments or due is None or now <= due:
            return None
        return Lateness("not_shipped", None, due)
    cause, shipment = min(causes, key=lambda pair: CAUSE_ORDER.index(pair[0]))
    return Lateness(cause, shipment, shipment.estimated_to or due)


def _line_where(order: Order, line: OrderLine, parcels: list[ParcelSituation]) -> str:
    if order.status == OrderStatus.CANCELLED:
        return Where.CANCELLED
    if order.status == OrderStatus.REFUNDED:
        return Where.REFUNDED
    carrying = [p.where for p in parcels if any(sl.line_id == line.pk for sl in p.shipment.lines.all())]
    for where in (Where.DELIVERED, Where.IN_TRANSIT, Where.RETURNED):
        if where in carrying:
            return where
    return Where.NOT_SHIPPED


def _by_order(rows: Iterable[Any]) -> defaultdict[int, list[Any]]:
    """Group rows by their ``order_id``, keeping their order (an order without any gets an empty list)."""
    grouped: defaultdict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.order_id].append(row)
    return grouped


def situations_read(orders: list[Order], now: dt.datetime | None = None) -> dict[int, OrderSituation]:
    """Read the situation of each order (from a selector) in a fixed number of queries, by order id."""
    now = now or clock.now()
    ids = [o.pk for o in orders]
    if not ids:
        return {}
    lines = _by_order(OrderLine.objects.filter(order_id__in=ids).order_by("id"))
    shipments = _by_order(
        Shipment.objects.filter(order_id__in=ids)
        .select_related("carrier")
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    contacts = {
        (c.order_id, c.buyer_id): c for c in SellerContact.objects.filter(order_id__in=ids).order_by("contacted_at")
    }
    cases = _by_order(
        Case.objects.filter(order_id__in=ids)
        .select_related("order__marketplace")
        .prefetch_related("info_requests", "decisions")
        .order_by("opened_at", "id")
    )
    refunds = _by_order(
        LedgerEntry.objects.filter(order_id__in=ids, kind=EntryKind.REFUND).order_by("created_at", "id")
    )
    returns = _by_order(
        Return.objects.filter(order_id__in=ids)
        .select_related("order__marketplace")
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.order_by("id")))
        .order_by("requested_at", "id")
    )
    shop_policies = {p.shop_id: p for p in ShopReturnPolicy.objects.filter(shop_id__in={o.shop_id for o in orders})}
    calendars = Calendars()
    return {
        order.pk: _situation(
            order,
            now=now,
            calendars=calendars,
            lines=lines[order.pk],
            shipments=shipments[order.pk],
            contact=contacts.get((order.pk, order.buyer_id)),
            cases=cases[order.pk],
            refunds=refunds[order.pk],
            returns=returns[order.pk],
            shop_policy=shop_policies.get(order.shop_id),
        )
        for order in orders
    }


def _situation(
    order: Order,
    *,
    now: dt.datetime,
    calendars: Calendars,
    lines: list[OrderLine],
    shipments: list[Shipment],
    contact: SellerContact | None,
    cases: list[Case],
    refunds: list[LedgerEntry],
    returns: list[Return],
    shop_policy: ShopReturnPolicy | None,
) -> OrderSituation:
    policy = calendars.policy
    calendar = calendars.get(order.marketplace.calendar_code or "")
    delivered_at = order.delivered_at or parcels_delivered_at(shipments)
    parcels = [
        ParcelSituation(
            shipment=s,
            where=_parcel_where(s),
            change=delivery_change_verdict(s)
            if s.tracking_status not in FINAL and order.status not in SETTLED
            else None,
        )
        for s in shipments
    ]
    taken: dict[int, int] = defaultdict(int)
    for ret in returns:
        if ret.status in ACTIVE_STATUSES:
            for rl in ret.lines.all():
                taken[rl.order_line_id] += rl.quantity
    closes_at = (
        due_at(delivered_at, calendar_days=return_window_days(policy, shop_policy), calendar=calendar)
        if delivered_at is not None
        else None
    )
    left = {line.pk: max(line.quantity - taken[line.pk], 0) for line in lines}
    option = return_eligibility(order=order, closes_at=closes_at, now=now, left=sum(left.values()))
    clocks: dict[tuple[str, int], list[Clock]] = {}
    for case in cases:
        found = case_clocks(case, calendars, now=now)
        if found:
            clocks[("case", case.pk)] = found
    for ret in returns:
        if ret_clock := return_clock(ret, calendars, now=now):
            clocks[("return", ret.pk)] = [ret_clock]
    return OrderSituation(
        order=order,
        now=now,
        policy=policy,
        calendar=calendar,
        delivered_at=delivered_at,
        parcels=parcels,
        lines=[LineSituation(line, _line_where(order, line, parcels), left[line.pk]) for line in lines],
        lateness=_lateness(order, shipments, delivered_at is not None, now),
        contact=contact,
        cases=cases,
        refunds=refunds,
        returns=returns,
        return_option=option,
        clocks=clocks,
    )
