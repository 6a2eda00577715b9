"""Turn a return into what its page shows: every stage with its date, the next deadline, what happens next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Actor
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.models import TimelineEvent
from marketdesk.orders.selectors import audiences_for
from marketdesk.returns.models import RefundPayer, Return
from marketdesk.returns.states import ReturnStatus
from marketdesk.web.presenters import ACTOR_LABELS, TimelineEntry

S = ReturnStatus

STATUS_TONES: dict[str, str] = {
    S.REQUESTED: "warning",
    S.APPROVED: "info",
    S.REFUSED: "muted",
    S.SHIPPED: "accent",
    S.RECEIVED: "accent",
    S.REFUNDED: "success",
    S.REPLACEMENT_REQUESTED: "accent",
    S.REPLACEMENT_SHIPPED: "success",
    S.REFUND_OFFERED: "warning",
    S.CLOSED: "muted",
    S.LAPSED: "muted",
    S.CANCELLED: "muted",
    S.ESCALATED: "warning",
}

EVENT_TITLES: dict[str, Promise] = {
    "return.requested": _("Return requested"),
    "return.approved": _("Return approved"),
    "return.refused": _("Return refused"),
    "return.shipped": _("Sent back"),
    "return.received": _("Received by the seller"),
    "return.inspected": _("Inspected"),
    "return.refunded": _("Refunded"),
    "return.replacement_requested": _("Replacement requested"),
    "return.replacement_shipped": _("Replacement sent"),
    "return.refund_offered": _("Out of stock: refund offered"),
    "return.closed": _("Closed without refund"),
    "return.lapsed": _("Lapsed: not shipped in time"),
    "return.cancelled": _("Cancelled"),
    "return.escalated": _("Taken to a case"),
    "return.reminded": _("Reminder to ship sent"),
}


@dataclass(frozen=True)
class Stage:
    label: Any
    at: dt.datetime | None
    done: bool
    note: Any = ""


@dataclass(frozen=True)
class ReturnView:
    status_label: str
    status_tone: str
    stages: list[Stage]
    next_step: str
    deadline_label: Any
    deadline_at: dt.datetime | None
    calendar: WorkCalendar
    timeline: list[TimelineEntry]


def return_calendar(ret: Return) -> WorkCalendar:
    return calendar_for(ret.order.marketplace.calendar_code or None)


def _stages(ret: Return) -> list[Stage]:
    stages = [Stage(_("Requested"), ret.requested_at, True)]
    if ret.status in (S.REFUSED, S.ESCALATED):
        stages.append(Stage(_("Refused by the seller"), ret.decided_at, True, ret.refusal_reason))
        if ret.status == S.ESCALATED:
            stages.append(Stage(_("Taken to a case"), ret.updated_at, True))
        return stages
    if ret.status == S.CANCELLED:
        stages.append(Stage(_("Cancelled"), ret.updated_at, True))
        return stages
    stages.append(Stage(_("Approved"), ret.decided_at, ret.decided_at is not None))
    if ret.status == S.LAPSED:
        stages.append(Stage(_("Lapsed: not shipped in time"), ret.ship_by, True))
        return stages
    stages.append(Stage(_("Sent back"), ret.shipped_at, ret.shipped_at is not None or ret.received_at is not None))
    stages.append(Stage(_("Received by the seller"), ret.received_at, ret.received_at is not None))
    if ret.status in (S.REPLACEMENT_REQUESTED, S.REPLACEMENT_SHIPPED):
        stages.append(Stage(_("Replacement sent"), ret.resolved_at, ret.status == S.REPLACEMENT_SHIPPED))
    elif ret.status == S.CLOSED:
        stages.append(Stage(_("Closed without refund"), ret.resolved_at, True, ret.partial_reason))
    else:
        if ret.refund_offered_at is not None:
            stages.append(Stage(_("Out of stock: refund offered"), ret.refund_offered_at, True))
        note = ""
        if ret.status == S.REFUNDED and ret.refund is not None:
            note = ret.refund.format()
            if ret.refund_paid_by == RefundPayer.PLATFORM:
                note = _("%(amount)s, paid by the platform because the seller was late") % {"amount": note}
        stages.append(Stage(_("Refunded"), ret.resolved_at, ret.status == S.REFUNDED, note))
    return stages


def _next(ret: Return, role: str) -> tuple[str, Any, dt.datetime | None]:
    seller = role != "buyer"
    if ret.status == S.REQUESTED:
        text = (
            _("Approve or refuse this return. Without an answer by the deadline it is approved.")
            if seller
            else _("The seller decides by the deadline below; without an answer, the return is approved.")
        )
        return str(text), _("Seller decides by"), ret.seller_due_at
    if ret.status == S.APPROVED:
        text = (
            _("The buyer ships the parcel back by the deadline; record its receipt when it arrives.")
            if seller
            else _("Print the label, stick it on the parcel and send it by the deadline below.")
        )
        return str(text), _("Ship back by"), ret.ship_by
    if ret.status == S.SHIPPED:
        text = (
            _("The parcel is on its way: record its receipt when it arrives.")
            if seller
            else _("The parcel is on its way back. The seller refunds within 2 business days of receiving it.")
        )
        return str(text), "", None
    if ret.status == S.RECEIVED:
        text = (
            _(
                "Inspect each item and refund by the deadline; after it the platform refunds and recovers the amount from you."
            )
            if seller
            else _("The seller inspects the items and refunds by the deadline below; if not, the platform refunds you.")
        )
        return str(text), _("Refund due by"), ret.refund_due_at
    texts: dict[str, Any] = {
        S.REFUNDED: _("The refund is on its way to your payment method.")
        if not seller
        else _("The return is refunded."),
        S.REPLACEMENT_REQUESTED: _("Send the replacement and record its carrier and tracking number below.")
        if seller
        else _("The seller is sending a replacement; its tracking appears here once it is sent."),
        S.REPLACEMENT_SHIPPED: _("The replacement is on its way: follow its tracking."),
        S.REFUND_OFFERED: _("The replacement is out of stock. Take the refund below.")
        if not seller
        else _("The replacement is out of stock: the buyer was offered the refund."),
        S.CLOSED: _("Nothing was accepted, so there is no refund. The reason is shown below."),
        S.LAPSED: _("The return lapsed because the parcel was not sent in time."),
        S.CANCELLED: _("The return was cancelled."),
        S.REFUSED: _("The seller refused the return. You can take it to a case and the platform decides.")
        if not seller
        else _("You refused the return. The buyer may take it to a case."),
        S.ESCALATED: _("The refusal is now a case: follow it on the case page."),
    }
    return str(texts.get(ret.status, "")), "", None


def return_timeline(actor: Actor, ret: Return) -> list[TimelineEntry]:
    events = TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Return), subject_id=ret.pk, audience__in=audiences_for(actor)
    ).order_by("occurred_at", "id")
    return [
        TimelineEntry(
            title=str(EVENT_TITLES.get(e.event_type, e.event_type)),
            occurred_at=e.occurred_at,
            tone="neutral",
            by=str(ACTOR_LABELS.get(e.actor_role, "")),
            detail=str(e.payload.get("extra", {}).get("reason", "")) if isinstance(e.payload, dict) else "",
            internal=e.audience == "internal",
        )
        for e in events
    ]


def return_view(actor: Actor, ret: Return) -> ReturnView:
    """Everything the return's page shows for this actor."""
    text, label, at = _next(ret, str(actor.role))
    return ReturnView(
        status_label=str(ret.get_status_display()),
        status_tone=STATUS_TONES.get(ret.status, "neutral"),
        stages=_stages(ret),
        next_step=text,
        deadline_label=label,
        deadline_at=at,
        calendar=return_calendar(ret),
        timeline=return_timeline(actor, ret),
    )


def next_deadline(ret: Return) -> dt.datetime | None:
    """The deadline that matters now, for lists."""
    deadlines: dict[str, dt.datetime | None] = {
        S.REQUESTED: ret.seller_due_at,
        S.APPROVED: ret.ship_by,
        S.RECEIVED: ret.refund_due_at,
    }
    return deadlines.get(ret.status)
