"""The stories a simulated case follows, their weights and the plan a case is played from."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from marketdesk.accounts.models import User
from marketdesk.cases.models import CaseType
from marketdesk.cases.states import CaseStatus
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import data

CASE_RATE = 0.015
MIN_CASES = 30
MAX_CASES = 200
# Every step ends at least this long before the epoch.
SAFETY = dt.timedelta(minutes=1)

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# The support team that reviews and decides simulated cases: (language, name, mailbox).
STAFF: tuple[tuple[str, str, str], ...] = (
    ("en", "Maya Patel", "maya.patel"),
    ("en", "Tom Becker", "tom.becker"),
    ("ru", "Ирина Волкова", "irina.volkova"),
    ("ru", "Дмитрий Орлов", "dmitry.orlov"),
)

GOOD_BY_SKU = {good.sku: good for good in data.GOODS}
# Orders that only case types without a window fit (seller unresponsive, refund not received).
FALLBACK_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


class Story(enum.StrEnum):
    """How a simulated case goes, named after where it ends."""

    AWAITING_SELLER = "awaiting_seller"
    OFFER_MADE = "offer_made"
    DECLINED = "declined"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    UNDER_REVIEW = "under_review"
    AWAITING_INFO = "awaiting_info"
    REFUND_BY_SELLER = "refund_by_seller"
    REFUND_BY_PLATFORM = "refund_by_platform"
    SELLER_WINS = "seller_wins"
    APPEALED = "appealed"
    DECIDED_ON_APPEAL = "decided_on_appeal"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CLOSED_AFTER_OFFER = "closed_after_offer"
    CLOSED_AFTER_DECISION = "closed_after_decision"
    CLOSED_AFTER_APPEAL = "closed_after_appeal"


@dataclass(frozen=True)
class StoryRule:
    """A story's share of the cases, its minimum count, and when its last decisive step happens."""

    status: str
    weight: int
    minimum: int
    anchor: str
    # (latest, earliest) moment of the anchor step, as time before the epoch.
    within: tuple[dt.timedelta, dt.timedelta]


S = Story
# Weights add up to 100. Open cases are recent (their deadlines are near the epoch, some overdue);
# finished ones spread over the months the orders cover. A resolved case or an appeal decision is
# closed by the hourly task, so one that is still open happened within the last hour.
STORIES: dict[Story, StoryRule] = {
    S.AWAITING_SELLER: StoryRule(CaseStatus.AWAITING_SELLER, 9, 1, "open", (HOUR, 40 * HOUR)),
    S.OFFER_MADE: StoryRule(CaseStatus.OFFER_MADE, 7, 1, "offer", (HOUR, 5 * DAY)),
    S.DECLINED: StoryRule(CaseStatus.DECLINED, 4, 1, "decline", (HOUR, 6 * DAY)),
    S.RESOLVED: StoryRule(CaseStatus.RESOLVED, 2, 1, "accept", (MINUTE * 5, MINUTE * 55)),
    S.ESCALATED: StoryRule(CaseStatus.ESCALATED, 7, 3, "escalate", (HOUR, 80 * HOUR)),
    S.UNDER_REVIEW: StoryRule(CaseStatus.UNDER_REVIEW, 7, 3, "review", (HOUR, 70 * HOUR)),
    S.AWAITING_INFO: StoryRule(CaseStatus.AWAITING_INFO, 6, 3, "ask", (HOUR, 96 * HOUR)),
    S.REFUND_BY_SELLER: StoryRule(CaseStatus.DECIDED, 6, 1, "decide", (2 * HOUR, 26 * DAY)),
    S.REFUND_BY_PLATFORM: StoryRule(CaseStatus.DECIDED, 4, 1, "decide", (2 * HOUR, 26 * DAY)),
    S.SELLER_WINS: StoryRule(CaseStatus.DECIDED, 5, 1, "decide", (2 * HOUR, 26 * DAY)),
    S.APPEALED: StoryRule(CaseStatus.APPEALED, 4, 3, "appeal", (HOUR, 60 * HOUR)),
    S.DECIDED_ON_APPEAL: StoryRule(CaseStatus.DECIDED_ON_APPEAL, 2, 1, "appeal_decide", (MINUTE * 5, MINUTE * 55)),
    S.WITHDRAWN: StoryRule(CaseStatus.WITHDRAWN, 7, 1, "withdraw", (HOUR, 150 * DAY)),
    S.EXPIRED: StoryRule(CaseStatus.EXPIRED, 7, 1, "expire", (HOUR, 150 * DAY)),
    S.CLOSED_AFTER_OFFER: StoryRule(CaseStatus.CLOSED, 12, 1, "close", (DAY, 150 * DAY)),
    S.CLOSED_AFTER_DECISION: StoryRule(CaseStatus.CLOSED, 8, 1, "close", (HOUR, 150 * DAY)),
    S.CLOSED_AFTER_APPEAL: StoryRule(CaseStatus.CLOSED, 3, 1, "close", (DAY, 150 * DAY)),
}

# What the demo logins find (``demo_accounts_ensure`` hands them the generator's first buyer and shop).
DEMO_BUYER_STORIES = (S.OFFER_MADE, S.UNDER_REVIEW, S.REFUND_BY_SELLER, S.AWAITING_SELLER, S.CLOSED_AFTER_OFFER)
DEMO_SELLER_STORIES = (
    S.AWAITING_SELLER,
    S.AWAITING_SELLER,
    S.AWAITING_SELLER,
    S.AWAITING_INFO,
    S.OFFER_MADE,
    S.ESCALATED,
    S.SELLER_WINS,
    S.CLOSED_AFTER_DECISION,
)


@dataclass(frozen=True)
class CaseSimulationResult:
    created: int
    refused: int
    already_there: bool
    stories: dict[str, int]


@dataclass(frozen=True)
class Step:
    kind: str
    at: dt.datetime
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """What a case is about on one order, and the window it may be opened in."""

    case_type: str
    sub_reason: str
    line: OrderLine | None
    # The buyer contacts the seller no earlier than this, and the case opens no later than that.
    contact_from: dt.datetime
    open_until: dt.datetime

    @property
    def topic(self) -> str:
        """Return whether the case is about the delivery or the item (for fitting texts)."""
        if self.case_type in (CaseType.ITEM_NOT_RECEIVED, CaseType.SELLER_UNRESPONSIVE):
            return "delivery"
        return "item"


@dataclass
class Subject:
    """One order with the people around it, as a case needs them."""

    order: Order
    lines: list[OrderLine]
    buyer: User
    seller: User
    language: str
    seller_language: str
    carrier: str
    staff: list[User]


class StoryAbandoned(Exception):
    """The simulator's own reason to drop a case (never a user-facing message)."""
