"""Words for the order's situation: the cause of lateness, whose clock, and the card every page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.eligibility import Eligibility
from marketdesk.situation.read import NextDeadline, OrderSituation

CAUSE_LABELS: dict[str, Promise] = {
    "likely_lost": _("the parcel is likely lost"),
    "exception": _("the carrier reported a problem"),
    "customs": _("the parcel is held in customs"),
    "stalled": _("the parcel has not been scanned for days"),
    "not_shipped": _("the seller has not shipped it yet"),
    "delayed": _("the parcel is past its estimated delivery date"),
}


@dataclass(frozen=True, slots=True)
class SituationCard:
    """What the card shows: status, lateness, returns, buyer protection and the next deadline."""

    status: str
    status_label: str
    late_cause: str
    late_label: str
    return_allowed: bool
    return_reason: str
    return_closes_at: dt.datetime | None
    protection_type: str
    protection: Eligibility
    next_deadline: NextDeadline | None
    calendar_code: str


def situation_card(situation: OrderSituation) -> SituationCard:
    """Return the card of an order's situation (pure: the situation is already read)."""
    late = situation.lateness
    option = situation.return_option
    case_type = situation.protection_case_type
    return SituationCard(
        status=situation.status,
        status_label=situation.status_label,
        late_cause=late.cause if late else "",
        late_label=str(CAUSE_LABELS[late.cause]) if late else "",
        return_allowed=option.allowed,
        return_reason=option.reason,
        return_closes_at=option.closes_at,
        protection_type=case_type,
        protection=situation.case_option(case_type),
        next_deadline=situation.next_deadline,
        calendar_code=situation.order.marketplace.calendar_code or "",
    )
