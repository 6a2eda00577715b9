"""Case statuses and the one table of moves between them.

A case is created in ``awaiting_seller`` (the ``case.opened`` event records the
opening); every later change goes through this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.actors import Role
from marketdesk.core.models import Audience
from marketdesk.core.timeline import status_event
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


S = CaseStatus

# A decided case stays open until its appeal window ends: it is appealed, never reopened by a new case.
OPEN_STATUSES = (
    S.AWAITING_SELLER,
    S.OFFER_MADE,
    S.DECLINED,
    S.ESCALATED,
    S.UNDER_REVIEW,
    S.AWAITING_INFO,
    S.DECIDED,
    S.APPEALED,
)
# Only a finished case can be referenced by a new one.
FINISHED_STATUSES = (S.RESOLVED, S.DECIDED_ON_APPEAL, S.WITHDRAWN, S.EXPIRED, S.CLOSED)
# No escalation yet: the case is between buyer and seller and expires when idle.
BEFORE_ESCALATION = (S.AWAITING_SELLER, S.OFFER_MADE, S.DECLINED)

PARTIES = (Role.BUYER, Role.SELLER)
STAFF = (Role.OPERATOR, Role.ADMIN)

CASE_OFFER_MADE = status_event("case.offer_made")
CASE_OFFER_ACCEPTED = status_event("case.offer_accepted")
CASE_OFFER_DECLINED = status_event("case.offer_declined")
CASE_ESCALATED = status_event("case.escalated")
CASE_REVIEW_STARTED = status_event("case.review_started")
CASE_INFO_REQUESTED = status_event("case.info_requested")
CASE_INFO_PROVIDED = status_event("case.info_provided")
CASE_DECIDED = status_event("case.decided", Audience.PUBLIC)
CASE_APPEALED = status_event("case.appealed")
CASE_APPEAL_DECIDED = status_event("case.appeal_decided", Audience.PUBLIC)
CASE_WITHDRAWN = status_event("case.withdrawn")
CASE_EXPIRED = status_event("case.expired")
CASE_CLOSED = status_event("case.closed")

CASE_TRANSITIONS = TransitionTable(
    states=CaseStatus,
    moves=(
        # Buyer and seller first.
        Move(S.AWAITING_SELLER, S.OFFER_MADE, [Role.SELLER], CASE_OFFER_MADE.name),
        Move(S.OFFER_MADE, S.RESOLVED, [Role.BUYER], CASE_OFFER_ACCEPTED.name),
        Move(S.OFFER_MADE, S.DECLINED, [Role.BUYER], CASE_OFFER_DECLINED.name),
        Move(S.DECLINED, S.OFFER_MADE, [Role.SELLER], CASE_OFFER_MADE.name),
        # Either party brings in the platform: after a decline, or when the seller stayed silent.
        # The system escalates a new case against a suspended seller at once (standards enforcement).
        Move(S.AWAITING_SELLER, S.ESCALATED, [*PARTIES, Role.SYSTEM], CASE_ESCALATED.name),
        Move(S.DECLINED, S.ESCALATED, PARTIES, CASE_ESCALATED.name),
        # The platform reviews and decides; silence after an information request means deciding anyway.
        Move(S.ESCALATED, S.UNDER_REVIEW, STAFF, CASE_REVIEW_STARTED.name),
        Move(S.UNDER_REVIEW, S.AWAITING_INFO, STAFF, CASE_INFO_REQUESTED.name),
        Move(S.AWAITING_INFO, S.UNDER_REVIEW, PARTIES, CASE_INFO_PROVIDED.name),
        Move(S.UNDER_REVIEW, S.DECIDED, STAFF, CASE_DECIDED.name),
        Move(S.AWAITING_INFO, S.DECIDED, STAFF, CASE_DECIDED.name),
        # One appeal, decided by another operator.
        Move(S.DECIDED, S.APPEALED, PARTIES, CASE_APPEALED.name),
        Move(S.APPEALED, S.DECIDED_ON_APPEAL, STAFF, CASE_APPEAL_DECIDED.name),
        # The buyer may withdraw until a decision.
        Move(S.AWAITING_SELLER, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        Move(S.OFFER_MADE, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        Move(S.DECLINED, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        Move(S.ESCALATED, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        Move(S.UNDER_REVIEW, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        Move(S.AWAITING_INFO, S.WITHDRAWN, [Role.BUYER], CASE_WITHDRAWN.name),
        # Idle before escalation: the scheduled task expires it.
        Move(S.AWAITING_SELLER, S.EXPIRED, [Role.SYSTEM], CASE_EXPIRED.name),
        Move(S.OFFER_MADE, S.EXPIRED, [Role.SYSTEM], CASE_EXPIRED.name),
        Move(S.DECLINED, S.EXPIRED, [Role.SYSTEM], CASE_EXPIRED.name),
        # Finished: an accepted offer, or a decision once its appeal window is over.
        Move(S.RESOLVED, S.CLOSED, [Role.SYSTEM, *STAFF], CASE_CLOSED.name),
        Move(S.DECIDED, S.CLOSED, [Role.SYSTEM, *STAFF], CASE_CLOSED.name),
        Move(S.DECIDED_ON_APPEAL, S.CLOSED, [Role.SYSTEM, *STAFF], CASE_CLOSED.name),
    ),
)
