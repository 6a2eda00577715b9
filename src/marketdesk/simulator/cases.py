"""Buyer-protection cases for a simulated marketplace, written through the case services only.

``marketplace_cases_simulate`` gives about 1.5 % of the shipped and delivered
orders a case (at least ``MIN_CASES``, so that a small demo shows every status;
at most ``MAX_CASES``, so that a large run stays fast). Each case follows a
*story* that ends in one status: awaiting the seller, an offer made, declined,
escalated, under review, awaiting information, decided (refund paid by the
seller or the platform, or the seller wins), appealed, decided on appeal,
resolved, withdrawn, expired or closed.

A story is a list of dated steps: the buyer contacts the seller, opens the case
after the policy allows it and inside the case type's window (item not received
from the estimated delivery date, not as described from delivery), and so on.
Deadlines (the seller's three business days, the appeal window, expiry after
idle business days) come from ``due_at`` with the policy in force, exactly as
the services compute them; every step lies before the epoch. Each step then runs
through its service under ``clock.frozen(step.at)``, so the timeline events,
conversation lines, notifications, ledger entries and webhooks are the ones a
real case writes (only the e-mail about that past counts as sent back then).
When a service refuses a step, that order's case is rolled back (one savepoint
per case) and the order is skipped.

Support operators (two English-, two Russian-speaking) are simulated users of
the marketplace; the demo ``operator`` login sees their queue like any other.

Every draw comes from the seed and the order's id, never the global random
source or the wall clock: the same seed and epoch give the same cases.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import logging
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, QuerySet

from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
from marketdesk.cases import services as case_services
from marketdesk.cases.models import Case, CaseType, DecisionOutcome, DecisionReason, OfferKind, Party, Payer
from marketdesk.cases.states import BEFORE_ESCALATION, CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import WorkCalendar, calendar_for, due_at
from marketdesk.core.errors import DomainError
from marketdesk.core.models import OutboxMessage, TimelineEvent
from marketdesk.core.money import Money, currency_exponent
from marketdesk.core.policies import Policy, policy_current
from marketdesk.messaging.services import order_message_post
from marketdesk.notifications.inbox import EMAIL_TOPIC
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace, Order, OrderLine
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import case_texts as texts
from marketdesk.simulator import data
from marketdesk.simulator import generator as gen
from marketdesk.simulator.services import _new_user, _users_ensure

log = logging.getLogger(__name__)

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


# -- staff --------------------------------------------------------------------------


def staff_external_id(seed: int, i: int) -> str:
    return f"MD{seed}-STAFF-{i:02d}"


def _staff_ensure(marketplace: Marketplace, seed: int) -> dict[str, list[User]]:
    """Create the simulated support operators that are missing; return them by language."""
    planned = []
    for i, (language, name, mailbox) in enumerate(STAFF):
        user = _new_user(
            marketplace,
            external_id=staff_external_id(seed, i),
            name=name,
            email=f"{mailbox}.{seed}@support.example.com",
            language=language,
            role=UserRole.OPERATOR,
        )
        planned.append(user)
    ids = _users_ensure(marketplace, planned)
    users = User.objects.in_bulk(list(ids.values()))
    by_language: dict[str, list[User]] = {}
    for i, (language, _name, _mailbox) in enumerate(STAFF):
        by_language.setdefault(language, []).append(users[ids[staff_external_id(seed, i)]])
    return by_language


# -- the entry point ------------------------------------------------------------------


def marketplace_cases_simulate(
    *,
    marketplace: Marketplace,
    seed: int,
    epoch: dt.datetime,
    rate: float = CASE_RATE,
    minimum: int = MIN_CASES,
    maximum: int = MAX_CASES,
) -> CaseSimulationResult:
    """Give a simulated marketplace's orders their cases through the case services (once per seed)."""
    prefix = gen.order_external_id(seed, 0)[: -len("0000000")]
    if Case.objects.filter(order__marketplace=marketplace, order__external_id__startswith=prefix).exists():
        return CaseSimulationResult(created=0, refused=0, already_there=True, stories={})
    epoch = epoch.astimezone(dt.UTC)
    with transaction.atomic():
        last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        staff = _staff_ensure(marketplace, seed)
        seeder = _Seeder(
            marketplace=marketplace,
            seed=seed,
            epoch=epoch,
            policy=policy_current(),
            calendar=calendar_for(marketplace.calendar_code or None),
            staff=staff,
        )
        demo_buyer = User.objects.filter(marketplace=marketplace, external_id=gen.buyer_external_id(seed, 0)).first()
        demo_shop_orders = Order.objects.filter(
            marketplace=marketplace, shop__external_id=gen.shop_external_id(seed, 0)
        )
        if demo_buyer is not None:
            seeder.demo(Order.objects.filter(marketplace=marketplace, buyer=demo_buyer), DEMO_BUYER_STORIES)
        seeder.demo(demo_shop_orders, DEMO_SELLER_STORIES)
        others = Order.objects.filter(marketplace=marketplace, external_id__startswith=prefix).exclude(
            pk__in=demo_shop_orders.values("pk")
        )
        if demo_buyer is not None:
            others = others.exclude(buyer=demo_buyer)
        eligible = Order.objects.filter(
            marketplace=marketplace,
            external_id__startswith=prefix,
            status__in=(OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        )
        target = min(maximum, max(minimum, round(rate * eligible.count())))
        seeder.general(
            _pks(others, (OrderStatus.SHIPPED, OrderStatus.DELIVERED)), _pks(others, FALLBACK_STATUSES), target
        )
        _past_surveys(marketplace, seed)
        _past_mail_sent(marketplace, after=last_notification)
    return CaseSimulationResult(
        created=seeder.created,
        refused=seeder.refused,
        already_there=False,
        stories={str(story): n for story, n in sorted(seeder.counts.items())},
    )


# -- planning -------------------------------------------------------------------------


def _span(rng: random.Random, low: dt.timedelta, high: dt.timedelta) -> dt.timedelta:
    return dt.timedelta(seconds=rng.randint(int(low.total_seconds()), int(high.total_seconds())))


class _Timeline:
    """Steps one after another, each at or after the one before."""

    def __init__(self, start: dt.datetime, rng: random.Random) -> None:
        self.rng = rng
        self.last = start
        self.steps: list[Step] = []

    def at(self, name: str, when: dt.datetime, /, **args: Any) -> dt.datetime:
        when = max(when, self.last).replace(microsecond=0)
        self.steps.append(Step(name, when, args))
        self.last = when
        return when

    def then(self, name: str, low: dt.timedelta, high: dt.timedelta, /, **args: Any) -> dt.datetime:
        return self.at(name, self.last + _span(self.rng, low, high), **args)


class _Seeder:
    """Plans and plays the stories, counting what it made."""

    def __init__(
        self,
        *,
        marketplace: Marketplace,
        seed: int,
        epoch: dt.datetime,
        policy: Policy,
        calendar: WorkCalendar,
        staff: dict[str, list[User]],
    ) -> None:
        self.marketplace = marketplace
        self.seed = seed
        self.epoch = epoch
        self.policy = policy
        self.calendar = calendar
        self.staff = staff
        self.counts: Counter[Story] = Counter()
        self.created = 0
        self.refused = 0
        self.used: set[int] = set()

    # -- who and what ---------------------------------------------------------------

    def _subjects(self, pks: list[int]) -> list[Subject]:
        """Load orders with their lines, buyer and shop owner, in the order of ``pks``."""
        orders = {
            o.pk: o for o in Order.objects.filter(pk__in=pks).select_related("buyer", "shop").prefetch_related("lines")
        }
        owners: dict[int, User] = {}
        memberships = (
            ShopMembership.objects.filter(shop_id__in={o.shop_id for o in orders.values()}, role=MembershipRole.OWNER)
            .select_related("user")
            .order_by("id")
        )
        for membership in memberships:
            owners.setdefault(membership.shop_id, membership.user)
        subjects = []
        for pk in pks:
            order = orders.get(pk)
            if order is None or order.shop_id not in owners:
                continue
            seller = owners[order.shop_id]
            language = "ru" if order.buyer.language == "ru" else "en"
            rng = random.Random(f"{self.seed}:{order.external_id}:people")
            carriers = texts.CARRIERS.get(order.shop.country, texts.CARRIERS["GB"])
            subjects.append(
                Subject(
                    order=order,
                    lines=sorted(order.lines.all(), key=lambda line: line.pk),
                    buyer=order.buyer,
                    seller=seller,
                    language=language,
                    # Sellers write to a buyer in Russian only when both speak it; otherwise in English.
                    seller_language="ru" if language == "ru" and seller.language == "ru" else "en",
                    carrier=rng.choice(carriers),
                    staff=rng.sample(self.staff[language], 2),
                )
            )
        return subjects

    def _claims(self, subject: Subject, *, fallback: bool) -> list[Claim]:
        """Return what a case on this order could be about, the likeliest first."""
        order = subject.order
        rng = random.Random(f"{self.seed}:{order.external_id}:claims")
        policy, cal = self.policy, self.calendar
        claims: list[Claim] = []
        edd, delivered = order.estimated_delivery_at, order.delivered_at
        inr: Claim | None = None
        if edd is not None and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            inr = Claim(
                CaseType.ITEM_NOT_RECEIVED,
                rng.choice(("not_arrived", "not_arrived", "delivery_stuck")) if delivered is None else "not_arrived",
                None,
                max(edd, delivered or edd) + HOUR,
                due_at(edd, calendar_days=policy.inr_window_days, calendar=cal) - 10 * MINUTE,
            )
        if delivered is not None and order.status == OrderStatus.DELIVERED and subject.lines:
            snad = Claim(
                CaseType.NOT_AS_DESCRIBED,
                rng.choice(("damaged", "damaged", "not_as_described", "wrong_item", "missing_parts")),
                rng.choice(subject.lines),
                delivered + HOUR,
                due_at(delivered, calendar_days=policy.snad_window_days, calendar=cal) - 10 * MINUTE,
            )
            claims.append(snad)
            if inr is not None:
                claims.insert(0 if rng.random() < 0.3 else 1, inr)
        elif inr is not None:
            claims.append(inr)
        if fallback:
            claims.extend(self._fallback_claims(subject, rng))
        return claims

    def _fallback_claims(self, subject: Subject, rng: random.Random) -> list[Claim]:
        """Case types without a window, for orders whose windows do not fit a story the demo needs."""
        order = subject.order
        if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED):
            return [Claim(CaseType.SELLER_UNRESPONSIVE, "seller_silent", None, order.placed_at + 2 * DAY, self.epoch)]
        if not subject.lines:
            return []
        line = rng.choice(subject.lines)
        if order.status == OrderStatus.DELIVERED and order.delivered_at is not None:
            return [Claim(CaseType.OTHER, "refund_wanted", line, order.delivered_at + 3 * DAY, self.epoch)]
        if order.status == OrderStatus.PARTIALLY_REFUNDED:
            return [Claim(CaseType.REFUND_NOT_RECEIVED, "refund_missing", line, order.placed_at + 10 * DAY, self.epoch)]
        return []

    # -- placing a story in time ---------------------------------------------------------

    def _place(self, subject: Subject, story: Story, claim: Claim, options: dict[str, Any]) -> list[Step] | None:
        """Date the story's steps so that they fit the claim's window and the story's rule, or None."""
        rule = STORIES[story]
        key = f"{self.seed}:{subject.order.external_id}:{story}:{claim.case_type}"
        latest_anchor = self.epoch - rule.within[0]
        earliest_anchor = self.epoch - rule.within[1]
        reference = self.epoch - 200 * DAY
        steps = _Story(self, subject, claim, random.Random(key), options).steps(story, reference)
        anchor = _last(steps, rule.anchor).at - reference
        opened = _last(steps, "open").at - reference
        low = max(claim.contact_from, earliest_anchor - anchor)
        high = min(claim.open_until - opened, latest_anchor - anchor, self.epoch - SAFETY - (steps[-1].at - reference))
        if low > high:
            return None
        start = low + (high - low) * random.Random(f"{key}:start").random()
        # Whole seconds, like every moment the steps are built from, so that the bounds below are exact.
        start = start.replace(microsecond=0) + dt.timedelta(seconds=1 if start.microsecond else 0)
        # Weekends and holidays stretch business-day deadlines: nudge the start until everything fits.
        for _attempt in range(4):
            steps = _Story(self, subject, claim, random.Random(key), options).steps(story, start)
            contact, opened_at, anchor_at = steps[0].at, _last(steps, "open").at, _last(steps, rule.anchor).at
            later = min(claim.open_until - opened_at, latest_anchor - anchor_at, self.epoch - SAFETY - steps[-1].at)
            earlier = max(claim.contact_from - contact, earliest_anchor - anchor_at)
            if earlier > later:
                return None
            if earlier <= dt.timedelta(0) <= later:
                return steps
            start += earlier if earlier > dt.timedelta(0) else later
        return None

    # -- playing --------------------------------------------------------------------------

    def _attempt(self, subject: Subject, stories: Iterable[Story], *, fallback: bool, **options: Any) -> Story | None:
        """Play the first of ``stories`` that fits the order and return it; None when none fits or it was refused."""
        claims = self._claims(subject, fallback=fallback)
        for story in stories:
            for claim in claims:
                steps = self._place(subject, story, claim, options)
                if steps is None:
                    continue
                self.used.add(subject.order.pk)
                try:
                    with transaction.atomic():
                        _play(subject, claim, steps, STORIES[story].status)
                except (DomainError, _StoryAbandoned) as exc:
                    # As a person would: when the product says no, that order gets no case.
                    log.info("simulator: no %s case on %s: %s", story, subject.order.external_id, exc)
                    self.refused += 1
                    return None
                self.counts[story] += 1
                self.created += 1
                return story
        return None

    def demo(self, orders: QuerySet[Order], stories: tuple[Story, ...]) -> None:
        """Give the demo logins' orders these stories, one order each, the fitting case types first."""
        pks = list(
            orders.exclude(status__in=(OrderStatus.PLACED, OrderStatus.CANCELLED, OrderStatus.REFUNDED))
            .order_by("external_id")
            .values_list("pk", flat=True)
        )
        subjects = self._subjects(pks)
        # Shipped and delivered orders first: they have the case types with windows.
        rank = {OrderStatus.SHIPPED: 0, OrderStatus.DELIVERED: 0, OrderStatus.PARTIALLY_REFUNDED: 1}
        subjects.sort(key=lambda s: rank.get(OrderStatus(s.order.status), 2))
        for story in stories:
            # The demo seller's question is for the seller: it waits for the seller's answer.
            options = {"party": Party.SELLER} if story == S.AWAITING_INFO else {}
            for fallback in (False, True):
                played = next(
                    (
                        subject
                        for subject in subjects
                        if subject.order.pk not in self.used
                        and self._attempt(subject, [story], fallback=fallback, **options) is not None
                    ),
                    None,
                )
                if played is not None:
                    break

    def general(self, candidates: list[int], more: list[int], target: int) -> None:
        """Spread ``target`` cases over the stories by weight, on randomly drawn shipped and delivered orders.

        Quotas still open after that (a small run has few recent orders) take case types without a window
        on the orders left, and on paid and partially refunded ones too (``more``).
        """
        quotas = {story: max(rule.minimum, round(rule.weight * target / 100)) for story, rule in STORIES.items()}
        made: Counter[Story] = Counter()
        rng = random.Random(f"{self.seed}:cases")
        rng.shuffle(candidates)
        rng.shuffle(more)
        # Enough orders to fill every quota many times over, yet a bound on a large run's planning time.
        budget = 25 * target
        for fallback, pool in ((False, candidates), (True, candidates + more)):
            fresh = (pk for pk in pool if pk not in self.used)
            for chunk in itertools.batched(itertools.islice(fresh, budget), 200):
                for subject in self._subjects(list(chunk)):
                    wanted = {story: quotas[story] - made[story] for story in STORIES if made[story] < quotas[story]}
                    if not wanted:
                        return
                    first = rng.choices(list(wanted), weights=list(wanted.values()))[0]
                    rest = sorted(wanted, key=lambda story: -wanted[story])
                    played = self._attempt(subject, [first, *(s for s in rest if s != first)], fallback=fallback)
                    if played is not None:
                        made[played] += 1


class _StoryAbandoned(Exception):
    """The simulator's own reason to drop a case (never a user-facing message)."""


# What the simulated parties write with a rating (their own words, like the case texts: not interface strings).
SURVEY_COMMENTS = {
    "en": ("Quick and fair, thank you.", "Took longer than I hoped.", "", "Support explained everything clearly."),
    "ru": ("Быстро и честно, спасибо.", "Ждать пришлось дольше, чем хотелось.", "", "Поддержка всё понятно объяснила."),
}


def _past_surveys(marketplace: Marketplace, seed: int) -> int:
    """Put the satisfaction survey to the parties of each case the past closed, as it closed, and answer most.

    Through the console's services under the clock of the moment, as a real close would; return the answers.
    """
    from marketdesk.console.models import SatisfactionSurvey
    from marketdesk.console.services import survey_answer, surveys_ask_closed

    rng = random.Random(seed * 7919 + 5)
    now = clock.now()
    answered = 0
    closed = Case.objects.filter(order__marketplace=marketplace, status=CaseStatus.CLOSED, surveys__isnull=True)
    closed_at = dict(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id__in=closed.values("pk"),
            event_type="case.closed",
        ).values_list("subject_id", "occurred_at")
    )
    for case_id, at in sorted(closed_at.items(), key=lambda item: (item[1], item[0])):
        with clock.frozen(at + dt.timedelta(minutes=5)):
            surveys_ask_closed(case_ids=[case_id])
        for survey in SatisfactionSurvey.objects.filter(case_id=case_id).select_related("user").order_by("id"):
            if rng.random() < 0.3:  # not everyone answers
                continue
            score = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 6))[0]
            comment = rng.choice(SURVEY_COMMENTS["ru" if survey.user.language == "ru" else "en"])
            with clock.frozen(min(at + _span(rng, dt.timedelta(hours=1), dt.timedelta(days=2)), now)):
                survey_answer(actor=Actor.for_user(survey.user), survey=survey, score=score, comment=comment)
            answered += 1
    return answered


def _past_mail_sent(marketplace: Marketplace, *, after: int) -> None:
    """Count the e-mail about the simulated past as sent back then, so that the demo's worker never mails it now.

    The services wrote each notification and its e-mail into the outbox at the step's moment; the bell keeps
    them (unread), but months of history must not reach the console or an SMTP server when the worker starts.
    """
    notes = Notification.objects.filter(pk__gt=after, user__marketplace=marketplace, emailed_at__isnull=True)
    keys = [f"notification-{pk}" for pk in notes.values_list("pk", flat=True)]
    for chunk in itertools.batched(keys, 500):
        OutboxMessage.objects.filter(topic=EMAIL_TOPIC, dedupe_key__in=chunk, delivered_at__isnull=True).update(
            delivered_at=F("created_at"), attempts=1
        )
    notes.update(emailed_at=F("created_at"))


def _pks(orders: QuerySet[Order], statuses: tuple[str, ...]) -> list[int]:
    return list(orders.filter(status__in=statuses).order_by("external_id").values_list("pk", flat=True))


def _last(steps: list[Step], kind: str) -> Step:
    return next(step for step in reversed(steps) if step.kind == kind)


def _part(total_minor: int, currency: str, percent: int) -> int:
    """Return ``percent`` of an amount, in whole major units when that leaves something."""
    unit = 10 ** currency_exponent(currency)
    amount = total_minor * percent // 100
    if amount >= unit:
        amount -= amount % unit
    return max(1, amount)


class _Story:
    """Writes one story's steps from a start moment; the same random draws on every call."""

    def __init__(
        self, seeder: _Seeder, subject: Subject, claim: Claim, rng: random.Random, options: dict[str, Any]
    ) -> None:
        self.seeder = seeder
        self.subject = subject
        self.claim = claim
        self.rng = rng
        self.options = options
        self.policy = seeder.policy
        self.calendar = seeder.calendar
        order = subject.order
        self.line_total = claim.line.total_minor if claim.line is not None else order.total_minor
        # A whole-order claim still names what was ordered: its first item.
        self.item_line = claim.line or (subject.lines[0] if subject.lines else None)
        self.values = {
            "shop": order.shop.name,
            "order": order.external_id,
            "carrier": subject.carrier,
            "item": self._item(self.item_line, subject.language),
        }
        self.offer_kind: str = ""
        self.offer_amount: int | None = None

    @staticmethod
    def _item(line: OrderLine | None, language: str) -> str:
        if line is None:
            return "order" if language == "en" else "заказ"
        good = GOOD_BY_SKU.get(line.sku)
        if good is None:
            return line.title
        return good.ru if language == "ru" else good.en[0].lower() + good.en[1:]

    def _money(self, amount_minor: int, language: str) -> str:
        return Money(amount_minor, self.subject.order.currency).format(language)

    def _text(self, choices: tuple[str, ...], language: str, **extra: str) -> str:
        values = {**self.values, "amount": "", "payer": "", **extra}
        if language != self.subject.language:
            values["item"] = self._item(self.item_line, language)
        return texts.case_text(self.rng, choices, **values)

    # -- the story ------------------------------------------------------------------------

    def steps(self, story: Story, start: dt.datetime) -> list[Step]:
        r = self.rng
        tl = _Timeline(start, r)
        policy = self.policy
        lang = self.subject.language
        tl.at("contact", start)
        wait = dt.timedelta(hours=max(policy.case_after_contact_hours, policy.seller_silence_hours))
        opens = start + wait + _span(r, 30 * MINUTE, 40 * HOUR)
        if r.random() < 0.5:
            tl.at("reply", start + _span(r, HOUR, min(40 * HOUR, wait + 20 * MINUTE)))
        description = self._text(texts.DESCRIPTIONS[lang][self.claim.sub_reason], lang)
        tl.at("open", opens, description=description)
        if story == S.AWAITING_SELLER:
            if r.random() < 0.4:
                self._buyer_evidence(tl)
        elif story == S.OFFER_MADE:
            self._offer(tl, r.choice(list(OfferKind)))
        elif story == S.DECLINED:
            self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REFUSAL, OfferKind.REPLACEMENT)))
            self._decline(tl)
        elif story in (S.RESOLVED, S.CLOSED_AFTER_OFFER):
            self._offer(tl, r.choice((OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            tl.then("accept", HOUR, 30 * HOUR)
            if story == S.CLOSED_AFTER_OFFER:
                tl.then("close", MINUTE, 59 * MINUTE)
        elif story == S.WITHDRAWN:
            self._withdrawn(tl)
        elif story == S.EXPIRED:
            if r.random() < 0.5:
                self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            idle = due_at(tl.last, business_days=policy.case_expiry_business_days, calendar=self.calendar)
            tl.at("expire", idle + _span(r, MINUTE, 59 * MINUTE))
        else:
            self._escalate(tl)
            if story != S.ESCALATED:
                self._platform(tl, story)
        return tl.steps

    def _platform(self, tl: _Timeline, story: Story) -> None:
        """From escalation on: review, questions, decisions, appeals."""
        r = self.rng
        tl.then("review", 10 * MINUTE, 10 * HOUR, by="op1")
        if r.random() < 0.6:
            op_lang = self.subject.language
            tl.then("note", 5 * MINUTE, 2 * HOUR, by="op1", body=r.choice(texts.NOTES[op_lang]))
        if story == S.AWAITING_INFO:
            self._ask(tl, answered=False)
            return
        if story == S.UNDER_REVIEW:
            if r.random() < 0.3:
                self._ask(tl, answered=True)
            return
        if r.random() < 0.4:
            self._ask(tl, answered=True)
        # A buyer appeals a decision for the seller; a seller appeals a refund it pays (and that appeal
        # stays open: an appeal decision cannot uphold a refund without paying it a second time).
        appeal_by = Party.SELLER if story == S.APPEALED and r.random() < 0.4 else Party.BUYER
        if story in (S.REFUND_BY_SELLER, S.REFUND_BY_PLATFORM, S.SELLER_WINS):
            first = story
        elif story == S.CLOSED_AFTER_DECISION:
            first = r.choice((S.REFUND_BY_SELLER, S.REFUND_BY_PLATFORM, S.SELLER_WINS))
        else:
            first = S.SELLER_WINS if appeal_by == Party.BUYER else S.REFUND_BY_SELLER
        decided = tl.then("decide", HOUR, 30 * HOUR, by="op1", **self._decision(first))
        if story == S.CLOSED_AFTER_DECISION:
            window = due_at(decided, calendar_days=self.policy.appeal_window_days, calendar=self.calendar)
            tl.at("close", window + _span(r, MINUTE, 59 * MINUTE))
            return
        if story not in (S.APPEALED, S.DECIDED_ON_APPEAL, S.CLOSED_AFTER_APPEAL):
            return
        party_lang = self.subject.language if appeal_by == Party.BUYER else self.subject.seller_language
        reason, new_information = r.choice(texts.APPEALS[party_lang][f"{appeal_by!s}_{self.claim.topic}"])
        tl.then(
            "appeal",
            DAY,
            12 * DAY,
            by=str(appeal_by),
            reason=self._text((reason,), party_lang),
            new_information=self._text((new_information,), party_lang),
        )
        if story == S.APPEALED:
            return
        tl.then("appeal_decide", 4 * HOUR, 40 * HOUR, by="op2", **self._appeal_decision())
        if story == S.CLOSED_AFTER_APPEAL:
            tl.then("close", MINUTE, 59 * MINUTE)

    def _escalate(self, tl: _Timeline) -> None:
        """The seller stays silent past the deadline, or the buyer declines the offer; then escalation."""
        r = self.rng
        if r.random() < 0.5:
            if r.random() < 0.4:
                self._buyer_evidence(tl)
            opened = _last(tl.steps, "open").at
            deadline = due_at(opened, business_days=self.policy.seller_response_business_days, calendar=self.calendar)
            tl.at("escalate", deadline + _span(r, HOUR, 40 * HOUR), by="buyer")
        else:
            self._offer(tl, r.choice((OfferKind.REFUSAL, OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            self._decline(tl)
            tl.then("escalate", 5 * MINUTE, 20 * HOUR, by="buyer" if r.random() < 0.8 else "seller")
        if r.random() < 0.5:
            lang = self.subject.seller_language
            text = self._text(texts.SELLER_EVIDENCE[lang][self.claim.topic], lang)
            tl.then("evidence", HOUR, 16 * HOUR, by="seller", text=text)

    def _buyer_evidence(self, tl: _Timeline) -> None:
        lang = self.subject.language
        text = self._text(texts.BUYER_EVIDENCE[lang][self.claim.topic], lang)
        tl.then("evidence", HOUR, 20 * HOUR, by="buyer", text=text)

    def _offer(self, tl: _Timeline, kind: OfferKind) -> None:
        """The seller answers within its deadline (well inside three business days)."""
        amount = None
        if kind == OfferKind.PARTIAL_REFUND:
            amount = _part(self.line_total, self.subject.order.currency, self.rng.choice((20, 25, 30, 40, 50)))
        self.offer_amount = amount
        lang = self.subject.seller_language
        extra = {"amount": self._money(amount, lang)} if amount else {}
        message = self._text(texts.OFFER_MESSAGES[lang][kind], lang, **extra)
        tl.then("offer", 2 * HOUR, 44 * HOUR, by="seller", kind=str(kind), amount_minor=amount, message=message)
        self.offer_kind = kind

    def _decline(self, tl: _Timeline) -> None:
        r = self.rng
        tl.then("decline", HOUR, 30 * HOUR)
        kind = self.offer_kind
        lang = self.subject.language
        if r.random() < 0.7 and kind in texts.DECLINE_NOTES[lang]:
            amount = self.offer_amount
            extra = {"amount": self._money(amount, lang)} if amount else {}
            text = self._text(texts.DECLINE_NOTES[lang][kind], lang, **extra)
            tl.then("evidence", 5 * MINUTE, 3 * HOUR, by="buyer", text=text)

    def _withdrawn(self, tl: _Timeline) -> None:
        """The buyer withdraws: before the seller answers, after an offer, or once escalated."""
        r = self.rng
        variant = r.random()
        if variant < 0.4:
            pass
        elif variant < 0.7:
            self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT, OfferKind.REFUSAL)))
        else:
            self._escalate(tl)
        lang = self.subject.language
        text = self._text(texts.WITHDRAW_NOTES[lang][self.claim.topic], lang)
        tl.then("evidence", 2 * HOUR, 3 * DAY, by="buyer", text=text)
        tl.then("withdraw", 2 * MINUTE, 30 * MINUTE)

    def _ask(self, tl: _Timeline, *, answered: bool) -> None:
        r = self.rng
        party = self.options.get("party") or r.choice((Party.BUYER, Party.SELLER))
        lang = self.subject.language if party == Party.BUYER else self.subject.seller_language
        question, answer = r.choice(texts.INFO_EXCHANGES[lang][f"{party!s}_{self.claim.topic}"])
        tl.then("ask", 10 * MINUTE, 6 * HOUR, by="op1", party=str(party), question=self._text((question,), lang))
        if answered:
            tl.then("answer", HOUR, 60 * HOUR, by=str(party), answer=self._text((answer,), lang))

    # -- decisions ------------------------------------------------------------------------

    def _decision(self, story: Story) -> dict[str, Any]:
        """Return the terms of a first decision for the story's outcome and the claim's sub-reason."""
        sub = self.claim.sub_reason
        order = self.subject.order
        if story == S.SELLER_WINS:
            reason = {
                "not_arrived": DecisionReason.DELIVERED_WITH_PROOF,
                "delivery_stuck": DecisionReason.DELIVERED_WITH_PROOF,
                "seller_silent": DecisionReason.DELIVERED_WITH_PROOF,
                "not_as_described": DecisionReason.AS_DESCRIBED,
                "wrong_item": DecisionReason.AS_DESCRIBED,
                "refund_wanted": DecisionReason.OUTSIDE_PROTECTION,
            }.get(sub, DecisionReason.BUYER_NO_EVIDENCE)
            return self._terms(DecisionOutcome.SELLER_WINS, Payer.NONE, None, reason)
        payer = Payer.SELLER if story == S.REFUND_BY_SELLER else Payer.PLATFORM
        if sub in ("not_arrived", "delivery_stuck"):
            lost = payer == Payer.PLATFORM
            reason = DecisionReason.NOT_RECEIVED_LOST if lost else DecisionReason.NOT_RECEIVED_NO_PROOF
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, reason)
        if sub == "seller_silent":
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, DecisionReason.SELLER_UNRESPONSIVE)
        reason = {
            "damaged": DecisionReason.DAMAGED_IN_TRANSIT,
            "wrong_item": DecisionReason.WRONG_ITEM,
            "refund_missing": DecisionReason.REFUND_NOT_PAID,
            "refund_wanted": DecisionReason.OTHER,
        }.get(sub, DecisionReason.NOT_AS_DESCRIBED)
        if sub in ("damaged", "wrong_item", "refund_missing"):
            amount = self.line_total
        else:
            amount = _part(self.line_total, order.currency, self.rng.choice((30, 40, 50)))
        if amount >= order.total_minor:
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, reason)
        return self._terms(DecisionOutcome.BUYER_PARTIAL_REFUND, payer, amount, reason)

    def _appeal_decision(self) -> dict[str, Any]:
        """The buyer appealed a decision for the seller: a second operator upholds or overturns it."""
        if self.rng.random() < 0.5:
            return self._terms(DecisionOutcome.SELLER_WINS, Payer.NONE, None, DecisionReason.APPEAL_UPHELD)
        return self._terms(DecisionOutcome.BUYER_FULL_REFUND, Payer.SELLER, None, DecisionReason.APPEAL_OVERTURNED)

    def _terms(self, outcome: str, payer: str, amount: int | None, reason: str) -> dict[str, Any]:
        lang = self.subject.language
        shown = amount if amount is not None else self.subject.order.total_minor
        rationale = self._text(
            texts.RATIONALES[lang][reason],
            lang,
            amount=self._money(shown, lang),
            payer=texts.PAYER[lang].get(payer, ""),
        )
        return {
            "outcome": outcome,
            "payer": payer,
            "amount_minor": amount,
            "reason_code": reason,
            "rationale": rationale,
        }


# -- playing a story through the services ------------------------------------------------


def _seller_reply(buyer_words: str) -> str:
    """The seller's first answer, in the buyer's language."""
    if any("а" <= ch.lower() <= "я" for ch in buyer_words):
        return "Здравствуйте! Спасибо, что написали, уже разбираемся и скоро ответим."
    return "Hello, thanks for getting in touch. We're looking into it and will come back to you shortly."


def _play(subject: Subject, claim: Claim, steps: list[Step], expected: str) -> None:
    """Run each step through its service at its moment; check that the case ends where planned."""
    order = subject.order
    actors = {
        "buyer": Actor.for_user(subject.buyer),
        "seller": Actor.for_user(subject.seller),
        "op1": Actor.for_user(subject.staff[0]),
        "op2": Actor.for_user(subject.staff[1]),
    }
    buyer = actors["buyer"]
    first_words = next((step.args["description"] for step in steps if step.kind == "open"), "Hello, about my order?")
    case: Case | None = None
    for step in steps:
        a = step.args
        actor = actors.get(a.get("by", "buyer"), buyer)
        with clock.frozen(step.at):
            if step.kind == "contact":
                # The buyer writes to the seller first: that message is the contact the case needs.
                order_message_post(actor=buyer, order=order, body=first_words)
            elif step.kind == "reply":
                order_message_post(actor=actors["seller"], order=order, body=_seller_reply(first_words))
            elif step.kind == "open":
                case = case_services.case_open(
                    actor=buyer,
                    order=order,
                    case_type=claim.case_type,
                    description=a["description"],
                    line=claim.line,
                    reason_detail=claim.sub_reason,
                )
            else:
                if case is None:  # pragma: no cover - every story opens the case first
                    raise _StoryAbandoned("no case to act on")
                _act(step, case, actor, order)
    if case is None or not Case.objects.filter(pk=case.pk, status=expected).exists():
        raise _StoryAbandoned(f"the case did not end {expected}")


def _act(step: Step, case: Case, actor: Actor, order: Order) -> None:  # noqa: PLR0912 - one branch per step kind
    a = step.args
    kind = step.kind
    if kind == "evidence":
        case_services.case_evidence_add(actor=actor, case=case, text=a["text"])
    elif kind == "offer":
        amount = Money(a["amount_minor"], order.currency) if a["amount_minor"] else None
        case_services.case_offer_make(actor=actor, case=case, kind=a["kind"], amount=amount, message=a["message"])
    elif kind == "accept":
        case_services.case_offer_accept(actor=actor, case=case)
    elif kind == "decline":
        case_services.case_offer_decline(actor=actor, case=case)
    elif kind == "escalate":
        case_services.case_escalate(actor=actor, case=case)
    elif kind == "withdraw":
        case_services.case_withdraw(actor=actor, case=case)
    elif kind == "review":
        case_services.case_review_start(actor=actor, case=case)
    elif kind == "note":
        case_services.case_note_add(actor=actor, case=case, body=a["body"])
    elif kind == "ask":
        case_services.case_info_request(actor=actor, case=case, party=a["party"], question=a["question"])
    elif kind == "answer":
        case_services.case_info_provide(actor=actor, case=case, answer=a["answer"])
    elif kind in ("decide", "appeal_decide"):
        decide = case_services.case_decide if kind == "decide" else case_services.case_appeal_decide
        amount = Money(a["amount_minor"], order.currency) if a["amount_minor"] else None
        decide(
            actor=actor,
            case=case,
            outcome=a["outcome"],
            payer=a["payer"],
            amount=amount,
            reason_code=a["reason_code"],
            rationale=a["rationale"],
        )
    elif kind == "appeal":
        case_services.case_appeal(actor=actor, case=case, reason=a["reason"], new_information=a["new_information"])
    elif kind == "expire":
        # The hourly task expires every idle case; here it may only find this one.
        others = Case.objects.filter(status__in=BEFORE_ESCALATION, expires_at__lte=step.at).exclude(pk=case.pk)
        if others.exists():
            raise _StoryAbandoned("other cases would expire with it")
        if case_services.cases_expire_idle(now=step.at) != 1:
            raise _StoryAbandoned("the case was not idle long enough to expire")
    elif kind == "close":
        case_services.case_close(actor=Actor.system(), case=case)
    else:  # pragma: no cover - the planner writes only the kinds above
        raise _StoryAbandoned(f"unknown step {kind}")
