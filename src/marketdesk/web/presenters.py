"""Turn domain records into what a page shows: labels, tones and timeline entries.

Presentation only: nothing here decides who may see what (selectors do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.calendar import WorkCalendar, business_day_length, business_time_between, calendar_for
from marketdesk.core.models import TimelineEvent
from marketdesk.core.money import Money, money_sum
from marketdesk.orders.models import Order
from marketdesk.orders.states import OrderStatus

# Badge colour of each order status; the CSS defines one class per tone.
STATUS_TONES: dict[str, str] = {
    OrderStatus.PLACED: "neutral",
    OrderStatus.PAID: "info",
    OrderStatus.SHIPPED: "accent",
    OrderStatus.DELIVERED: "success",
    OrderStatus.CANCELLED: "muted",
    OrderStatus.PARTIALLY_REFUNDED: "warning",
    OrderStatus.REFUNDED: "warning",
}

EVENT_TITLES: dict[str, Promise] = {
    "order.placed": _("Order placed"),
    "order.paid": _("Paid"),
    "order.shipped": _("Shipped"),
    "order.delivered": _("Delivered"),
    "order.cancelled": _("Cancelled"),
    "order.partially_refunded": _("Partially refunded"),
    "order.refunded": _("Refunded"),
    "order.details_updated": _("Order details updated"),
    "attachment.processed": _("Attachment processed"),
    "attachment.processing_failed": _("Attachment could not be processed"),
    "case.opened": _("Case opened"),
    "case.assigned": _("Case assigned"),
    "case.seller_contacted": _("Seller contacted"),
    "case.seller_replied": _("Seller replied"),
    "case.evidence_added": _("Evidence added"),
    "case.note_added": _("Internal note added"),
    "case.viewed": _("Case viewed"),
    "case.offer_made": _("Offer made"),
    "case.offer_accepted": _("Offer accepted"),
    "case.offer_declined": _("Offer declined"),
    "case.escalated": _("Case escalated"),
    "case.review_started": _("Review started"),
    "case.info_requested": _("Information requested"),
    "case.info_provided": _("Information provided"),
    "case.decided": _("Case decided"),
    "case.appealed": _("Decision appealed"),
    "case.appeal_decided": _("Appeal decided"),
    "case.withdrawn": _("Case withdrawn"),
    "case.expired": _("Case expired"),
    "case.closed": _("Case closed"),
    "delivery_change.requested": _("Delivery change requested"),
    "delivery_change.accepted": _("Delivery change accepted"),
    "delivery_change.declined": _("Delivery change declined"),
    "delivery_change.withdrawn": _("Delivery change withdrawn"),
    "enforcement.proposed": _("Measure proposed"),
    "enforcement.apply": _("Measure applied"),
    "enforcement.applied": _("Measure applied"),
    "enforcement.dismiss": _("Measure dismissed"),
    "enforcement.dismissed": _("Measure dismissed"),
    "enforcement.lift": _("Measure lifted"),
    "enforcement.lifted": _("Measure lifted"),
    "enforcement.appealed": _("Measure appealed"),
    "enforcement.appeal_decide": _("Measure appeal decided"),
    "enforcement.appeal_accepted": _("Measure appeal accepted"),
    "enforcement.appeal_rejected": _("Measure appeal rejected"),
    "lost_parcel.opened": _("Lost-parcel inquiry opened"),
    "lost_parcel.claim_filed": _("Claim filed with the carrier"),
    "lost_parcel.claim_paid": _("The carrier paid the claim"),
    "lost_parcel.found": _("Parcel found"),
    "lost_parcel.refunded": _("Refunded for the lost parcel"),
    "lost_parcel.reshipped": _("Sent again"),
    "macro.created": _("Macro written"),
    "macro.translated": _("Macro translated"),
    "macro.changed": _("Macro changed"),
    "macro.archived": _("Macro archived"),
    "macro.restored": _("Macro offered again"),
    "macro.deleted": _("Macro deleted"),
    "user.invited": _("Operator invited"),
    "user.deactivated": _("Deactivated"),
    "user.reactivated": _("Reactivated"),
    "user.role_changed": _("Role changed"),
    "carrier.mapping_added": _("Carrier status mapped"),
    "carrier.mapping_changed": _("Carrier status mapping changed"),
    "macro.used": _("Macro used"),
    "return.requested": _("Return requested"),
    "return.approved": _("Return approved"),
    "return.refused": _("Return refused"),
    "return.reminded": _("Reminder sent"),
    "return.shipped": _("Return sent back"),
    "return.received": _("Return received"),
    "return.inspected": _("Return inspected"),
    "return.refund_offered": _("Refund offered"),
    "return.refunded": _("Return refunded"),
    "return.replacement_requested": _("Replacement requested"),
    "return.replacement_shipped": _("Replacement sent"),
    "return.escalated": _("Return escalated"),
    "return.lapsed": _("Return lapsed"),
    "return.cancelled": _("Return cancelled"),
    "return.closed": _("Return closed"),
    "shipment.created": _("Shipment created"),
    "shipment.status_changed": _("Delivery status changed"),
    "shipment.flags_changed": _("Delivery flags changed"),
    "shipment.care_started": _("Support started watching the parcel"),
    "standards.recompute": _("Seller standards recomputed"),
}

EVENT_TONES: dict[str, str] = {
    "order.placed": "neutral",
    "order.paid": "info",
    "order.shipped": "accent",
    "order.delivered": "success",
    "order.cancelled": "muted",
    "order.partially_refunded": "warning",
    "order.refunded": "warning",
}

CHANGED_FIELDS: dict[str, Promise] = {
    "estimated_delivery_at": _("delivery estimate"),
    "delivered_at": _("delivery date"),
    "payments": _("payments"),
    "delivery_address": _("delivery address"),
    "status": _("status"),
}

ACTOR_LABELS: dict[str, Promise] = {
    Role.MARKETPLACE: _("by the marketplace"),
    Role.SYSTEM: _("by marketdesk"),
    Role.BUYER: _("by the buyer"),
    Role.SELLER: _("by the seller"),
    Role.OPERATOR: _("by support"),
    Role.ADMIN: _("by an administrator"),
}


def status_tone(status: str) -> str:
    """Return the badge tone of an order status."""
    return STATUS_TONES.get(status, "neutral")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a vertical timeline, ready to render."""

    title: str
    occurred_at: dt.datetime
    tone: str
    by: str
    detail: str
    internal: bool


def event_title(name: str) -> str:
    """Return an event type's or audit action's name in words (``case.seller_contacted`` → "Seller contacted")."""
    known = EVENT_TITLES.get(name)
    if known is not None:
        return str(known)
    # One this table does not know yet still reads as words, not a dotted code.
    return name.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _title(event: TimelineEvent) -> str:
    target = event.payload.get("target") if isinstance(event.payload, dict) else None
    if event.event_type not in EVENT_TITLES and target in OrderStatus.values:
        return str(OrderStatus(target).label)
    return event_title(event.event_type)


def _detail(event: TimelineEvent) -> str:
    changed = event.payload.get("changed") if isinstance(event.payload, dict) else None
    if event.event_type == "order.details_updated" and changed:
        names = ", ".join(str(CHANGED_FIELDS.get(name, name)) for name in changed)
        return str(_("Changed: %(fields)s") % {"fields": names})
    return ""


def timeline_entries(events: Iterable[TimelineEvent]) -> list[TimelineEntry]:
    """Return the events as human-readable timeline entries, oldest first."""
    return [
        TimelineEntry(
            title=_title(event),
            occurred_at=event.occurred_at,
            tone=EVENT_TONES.get(event.event_type, "neutral"),
            by=str(ACTOR_LABELS.get(event.actor_role, "")),
            detail=_detail(event),
            internal=event.audience == "internal",
        )
        for event in events
    ]


@dataclass(frozen=True, slots=True)
class OrderTotals:
    items: Money
    other: Money
    total: Money


def order_totals(order: Order) -> OrderTotals:
    """Split an order's total into its items and the rest (delivery, fees)."""
    items = money_sum([line.total for line in order.lines.all()], order.currency)
    return OrderTotals(items=items, other=order.total - items, total=order.total)


# A deadline this close (in business time) is shown as at risk.
SOON = dt.timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class Countdown:
    """A deadline as a page shows it: the moment, and how much business time is left (or past)."""

    at: dt.datetime
    text: str
    overdue: bool
    soon: bool

    @property
    def tone(self) -> str:
        return "danger" if self.overdue else "warning" if self.soon else "neutral"


def _span(left: dt.timedelta, day: dt.timedelta) -> str:
    minutes = int(left.total_seconds() // 60)
    day_minutes = max(int(day.total_seconds() // 60), 1)
    days, rest = divmod(minutes, day_minutes)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours})
    if not days and (mins or not hours):
        parts.append(ngettext("%(count)d min", "%(count)d min", mins) % {"count": mins})
    return " ".join(parts)


def deadline_countdown(
    at: dt.datetime, *, calendar: WorkCalendar | None = None, now: dt.datetime | None = None
) -> Countdown:
    """Count the business time from now to ``at`` in the owner's calendar: "2 business days 3 h left"."""
    cal = calendar or calendar_for()
    now = now or clock.now()
    left = business_time_between(now, at, calendar=cal)
    day = business_day_length(cal)
    if at <= now:
        text = _("overdue by %(span)s") % {"span": _span(-left, day)} if left else str(_("overdue"))
        return Countdown(at=at, text=str(text), overdue=True, soon=False)
    text = _("%(span)s left") % {"span": _span(left, day)} if left else str(_("due before business hours resume"))
    return Countdown(at=at, text=str(text), overdue=False, soon=left <= SOON)


def business_wait(since: dt.datetime, *, calendar: WorkCalendar | None = None, now: dt.datetime | None = None) -> str:
    """Say how long someone has waited since ``since``, in the calendar's business time ("1 business day 3 h")."""
    cal = calendar or calendar_for()
    waited = business_time_between(since, now or clock.now(), calendar=cal)
    return _span(max(waited, dt.timedelta(0)), business_day_length(cal))
