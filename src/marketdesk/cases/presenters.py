"""What the case pages show: labels, tones, deadlines, both sides and the next step, per role.

Presentation only: the case and what hangs off it come from selectors scoped to
the actor; nothing here decides what an actor may read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.eligibility import case_appeal_closes
from marketdesk.cases.help_paths import SUB_REASONS
from marketdesk.cases.models import Appeal, Case, CaseOffer, Decision, InfoRequest, Party
from marketdesk.cases.selectors import (
    Side,
    case_appeal,
    case_decisions,
    case_open_question,
    case_pending_offer,
    case_sides,
)
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.calendar import WorkCalendar, calendar_for
from marketdesk.core.models import TimelineEvent
from marketdesk.orders.selectors import audiences_for
from marketdesk.web.presenters import TimelineEntry, timeline_entries

CASE_STATUS_TONES: dict[str, str] = {
    CaseStatus.AWAITING_SELLER: "warning",
    CaseStatus.OFFER_MADE: "info",
    CaseStatus.RESOLVED: "success",
    CaseStatus.DECLINED: "warning",
    CaseStatus.ESCALATED: "accent",
    CaseStatus.UNDER_REVIEW: "accent",
    CaseStatus.AWAITING_INFO: "warning",
    CaseStatus.DECIDED: "success",
    CaseStatus.APPEALED: "accent",
    CaseStatus.DECIDED_ON_APPEAL: "success",
    CaseStatus.WITHDRAWN: "muted",
    CaseStatus.EXPIRED: "muted",
    CaseStatus.CLOSED: "muted",
}

CASE_EVENT_TITLES: dict[str, Promise] = {
    "case.opened": _("Case opened"),
    "case.offer_made": _("The seller made an offer"),
    "case.offer_accepted": _("Offer accepted"),
    "case.offer_declined": _("Offer declined"),
    "case.escalated": _("Escalated to the platform"),
    "case.review_started": _("Support started the review"),
    "case.info_requested": _("Support asked for information"),
    "case.info_provided": _("Information provided"),
    "case.decided": _("Decided"),
    "case.appealed": _("Appealed"),
    "case.appeal_decided": _("Decided on appeal"),
    "case.withdrawn": _("Withdrawn"),
    "case.expired": _("Expired"),
    "case.closed": _("Closed"),
    "case.evidence_added": _("Evidence added"),
    "case.note_added": _("Internal note added"),
}

SIDE_TITLES: dict[str, Promise] = {
    "description": _("Problem reported"),
    "evidence": _("Statement"),
    "offer": _("Offer"),
    "answer": _("Answer to support"),
    "appeal": _("Appeal"),
}

# What happens next, said to each party in each status (the operator's workspace has its own actions).
NEXT_FOR_BUYER: dict[str, Promise] = {
    CaseStatus.AWAITING_SELLER: _(
        "The seller has until the date below to answer. If they do not, you can escalate the case to us."
    ),
    CaseStatus.OFFER_MADE: _("The seller made an offer. Accept it to settle the case, or decline it."),
    CaseStatus.DECLINED: _("You declined the offer. Escalate the case and our support team will decide."),
    CaseStatus.ESCALATED: _("Our support team will review the case and decide by the date below."),
    CaseStatus.UNDER_REVIEW: _("Our support team is reviewing the case."),
    CaseStatus.AWAITING_INFO: _("Our support team asked for information before deciding."),
    CaseStatus.DECIDED: _("The case is decided. You can appeal once, with new information, until the date below."),
    CaseStatus.APPEALED: _("The appeal is with another member of our support team."),
    CaseStatus.DECIDED_ON_APPEAL: _("The appeal is decided. This decision is final."),
    CaseStatus.RESOLVED: _("You accepted the seller's offer: the case is settled."),
    CaseStatus.WITHDRAWN: _("You withdrew this case."),
    CaseStatus.EXPIRED: _("The case closed because nothing happened for a long time."),
    CaseStatus.CLOSED: _("The case is closed."),
}
NEXT_FOR_SELLER: dict[str, Promise] = {
    CaseStatus.AWAITING_SELLER: _(
        "Answer by the date below: offer a refund, a replacement or a return, or refuse with your reasons "
        "and evidence. Without an answer the buyer can escalate the case."
    ),
    CaseStatus.OFFER_MADE: _("Your offer is waiting for the buyer's answer."),
    CaseStatus.DECLINED: _("The buyer declined your offer. Make another one, or escalate the case to the platform."),
    CaseStatus.ESCALATED: _("The platform will review the case and decide by the date below."),
    CaseStatus.UNDER_REVIEW: _("The platform is reviewing the case. You can still add evidence."),
    CaseStatus.AWAITING_INFO: _("The platform asked for information before deciding."),
    CaseStatus.DECIDED: _("The case is decided. You can appeal once, with new information, until the date below."),
    CaseStatus.APPEALED: _("The appeal is with another member of the platform's support team."),
    CaseStatus.DECIDED_ON_APPEAL: _("The appeal is decided. This decision is final."),
    CaseStatus.RESOLVED: _("The buyer accepted your offer: the case is settled."),
    CaseStatus.WITHDRAWN: _("The buyer withdrew this case."),
    CaseStatus.EXPIRED: _("The case closed because nothing happened for a long time."),
    CaseStatus.CLOSED: _("The case is closed."),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    label: str
    at: dt.datetime


@dataclass
class CaseView:
    """Everything a case page shows, computed once per request."""

    case: Case
    status_label: str
    status_tone: str
    detail_label: str
    calendar: WorkCalendar
    timeline: list[TimelineEntry]
    sides: dict[str, Side]
    offer: CaseOffer | None
    question: InfoRequest | None
    decisions: list[Decision]
    appeal: Appeal | None
    deadlines: list[Deadline]
    appeal_closes_at: dt.datetime | None
    next_step: str

    @property
    def side_columns(self) -> list[tuple[str, str, list[Any]]]:
        """The buyer's and the seller's statements, each column titled with who they are."""
        buyer = _("Buyer · %(name)s") % {"name": self.case.buyer.name}
        seller = _("Seller · %(name)s") % {"name": self.case.shop.name}
        return [
            (Party.BUYER, str(buyer), self.sides[Party.BUYER].statements),
            (Party.SELLER, str(seller), self.sides[Party.SELLER].statements),
        ]


def case_timeline(actor: Actor, case: Case) -> list[TimelineEntry]:
    """Return the case's timeline as this actor may read it (internal events for staff only)."""
    events = TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk, audience__in=audiences_for(actor)
    ).order_by("occurred_at", "id")
    entries = []
    for event, entry in zip(events, timeline_entries(events), strict=True):
        title = CASE_EVENT_TITLES.get(event.event_type)
        entries.append(replace(entry, title=str(title)) if title is not None else entry)
    return entries


def _appeal_closes_at(case: Case, decisions: list[Decision], calendar: WorkCalendar) -> dt.datetime | None:
    first = next((d for d in decisions if not d.is_appeal), None)
    if first is None or case.status != CaseStatus.DECIDED:
        return None
    return case_appeal_closes(case, first.decided_at, calendar=calendar)


def _deadlines(case: Case, appeal_closes_at: dt.datetime | None) -> list[Deadline]:
    deadlines = []
    if case.status == CaseStatus.AWAITING_SELLER:
        deadlines.append(Deadline(str(_("Seller answers by")), case.seller_due_at))
    if case.info_due_at:
        deadlines.append(Deadline(str(_("Information due")), case.info_due_at))
    if case.decision_due_at:
        deadlines.append(Deadline(str(_("Decision due")), case.decision_due_at))
    if appeal_closes_at:
        deadlines.append(Deadline(str(_("Appeal until")), appeal_closes_at))
    if case.expires_at and case.status in (CaseStatus.OFFER_MADE, CaseStatus.DECLINED, CaseStatus.AWAITING_SELLER):
        deadlines.append(Deadline(str(_("Closes if idle on")), case.expires_at))
    return deadlines


def case_view(actor: Actor, case: Case) -> CaseView:
    """Build the page's view of a case the actor may see (it comes from a scoped selector)."""
    calendar = calendar_for(case.order.marketplace.calendar_code or None)
    decisions = case_decisions(case)
    appeal_closes_at = _appeal_closes_at(case, decisions, calendar)
    sub = SUB_REASONS.get(case.reason_detail)
    next_texts = NEXT_FOR_SELLER if actor.role == Role.SELLER else NEXT_FOR_BUYER
    return CaseView(
        case=case,
        status_label=str(CaseStatus(case.status).label),
        status_tone=CASE_STATUS_TONES.get(case.status, "neutral"),
        detail_label=str(sub.label) if sub is not None else "",
        calendar=calendar,
        timeline=case_timeline(actor, case),
        sides=case_sides(actor, case),
        offer=case_pending_offer(case),
        question=case_open_question(case),
        decisions=decisions,
        appeal=case_appeal(case),
        deadlines=_deadlines(case, appeal_closes_at),
        appeal_closes_at=appeal_closes_at,
        next_step=str(next_texts.get(case.status, "")),
    )


def escalation_opens_at(case: Case) -> dt.datetime | None:
    """When a case still awaiting the seller can be escalated (None when it already can, or never)."""
    if case.status == CaseStatus.AWAITING_SELLER and clock.now() <= case.seller_due_at:
        return case.seller_due_at
    return None
