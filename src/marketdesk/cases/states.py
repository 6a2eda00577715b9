"""Case statuses and the one table of moves between them.

A case is created in ``awaiting_seller`` (the ``case.opened`` event records the
opening); every later change goes through this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.timeline import status_events
from marketdesk.core.transitions import Move, TransitionTable


class CaseStatus(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", _("Awaiting the seller")
    OFFER_MADE = "offer_made", _("Offer made")
    RESOLVED = "resolved", _("Resolved")
    DECLINED = "declined", _("Offer declined")
    ESCALATED = "escalated", _("Escalated")
    UNDER_REVIEW = "under_review", _("Under review")
    AWAITING_INFO = "awaiting_info", _("Awaiting information")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    DECIDED_ON_APPEAL = "decided_on_appeal", _("Decided on appeal")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


# Only a finished case can be referenced by a new one.
FINISHED_STATUSES = tuple(
    CaseStatus(status) for status in ("resolved", "decided_on_appeal", "withdrawn", "expired", "closed")
)
# Every other case is open. A decided case stays open until its appeal window ends: it is appealed, never
# reopened by a new case.
OPEN_STATUSES = tuple(status for status in CaseStatus if status not in FINISHED_STATUSES)

S = CaseStatus

# No escalation yet: the case is between buyer and seller and expires when idle.
BEFORE_ESCALATION = (S.AWAITING_SELLER, S.OFFER_MADE, S.DECLINED)

PARTIES = (Role.BUYER, Role.SELLER)
STAFF = (Role.OPERATOR, Role.ADMIN)

status_events(
    "case",
    (
        "offer_made",
        "offer_accepted",
        "offer_declined",
        "escalated",
        "review_started",
        "info_requested",
        "info_provided",
        "appealed",
        "withdrawn",
        "expired",
        "closed",
    ),
    public=("decided", "appeal_decided"),
)

CASE_TRANSITIONS = TransitionTable(
    states=CaseStatus,
    moves=(
        # Buyer and seller first.
        Move(S.AWAITING_SELLER, S.OFFER_MADE, [Role.SELLER], "case.offer_made"),
        Move(S.OFFER_MADE, S.RESOLVED, [Role.BUYER], "case.offer_accepted"),
        Move(S.OFFER_MADE, S.DECLINED, [Role.BUYER], "case.offer_declined"),
        Move(S.DECLINED, S.OFFER_MADE, [Role.SELLER], "case.offer_made"),
        # Either party brings in the platform: after a decline, or when the seller stayed silent.
        # The system escalates a new case against a suspended seller at once (standards enforcement).
        Move(S.AWAITING_SELLER, S.ESCALATED, [*PARTIES, Role.SYSTEM], "case.escalated"),
        Move(S.DECLINED, S.ESCALATED, PARTIES, "case.escalated"),
        # The platform reviews and decides; silence after an information request means deciding anyway.
        Move(S.ESCALATED, S.UNDER_REVIEW, STAFF, "case.review_started"),
        Move(S.UNDER_REVIEW, S.AWAITING_INFO, STAFF, "case.info_requested"),
        Move(S.AWAITING_INFO, S.UNDER_REVIEW, PARTIES, "case.info_provided"),
        Move(S.UNDER_REVIEW, S.DECIDED, STAFF, "case.decided"),
        Move(S.AWAITING_INFO, S.DECIDED, STAFF, "case.decided"),
        # One appeal, decided by another operator.
        Move(S.DECIDED, S.APPEALED, PARTIES, "case.appealed"),
        Move(S.APPEALED, S.DECIDED_ON_APPEAL, STAFF, "case.appeal_decided"),
        # The buyer may withdraw until a decision.
        Move(S.AWAITING_SELLER, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        Move(S.OFFER_MADE, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        Move(S.DECLINED, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        Move(S.ESCALATED, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        Move(S.UNDER_REVIEW, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        Move(S.AWAITING_INFO, S.WITHDRAWN, [Role.BUYER], "case.withdrawn"),
        # Idle before escalation: the scheduled task expires it.
        Move(S.AWAITING_SELLER, S.EXPIRED, [Role.SYSTEM], "case.expired"),
        Move(S.OFFER_MADE, S.EXPIRED, [Role.SYSTEM], "case.expired"),
        Move(S.DECLINED, S.EXPIRED, [Role.SYSTEM], "case.expired"),
        # Finished: an accepted offer, or a decision once its appeal window is over.
        Move(S.RESOLVED, S.CLOSED, [Role.SYSTEM, *STAFF], "case.closed"),
        Move(S.DECIDED, S.CLOSED, [Role.SYSTEM, *STAFF], "case.closed"),
        Move(S.DECIDED_ON_APPEAL, S.CLOSED, [Role.SYSTEM, *STAFF], "case.closed"),
    ),
)
