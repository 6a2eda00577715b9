"""Which orders get which story: the demo logins' cases first, then the rest by quota."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from marketdesk.accounts.models import MembershipRole, ShopMembership, User
from marketdesk.cases.models import CaseType, Party
from marketdesk.core.calendar import WorkCalendar, due_at
from marketdesk.core.errors import DomainError
from marketdesk.core.policies import Policy
from marketdesk.orders.models import Marketplace, Order
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import case_texts as texts
from marketdesk.simulator.cases.playing import story_play
from marketdesk.simulator.cases.steps import StoryWriter, last_step
from marketdesk.simulator.cases.stories import (
    DAY,
    HOUR,
    MINUTE,
    SAFETY,
    STORIES,
    Claim,
    S,
    Step,
    Story,
    StoryAbandoned,
    Subject,
)

log = logging.getLogger(__name__)

#: The honest majority claims on at most this many orders each, so only the seeded abusers (simulator.abuse)
#: reach the policy's claim-rate signal, however small the run and its minimum of cases.
HONEST_MOST_CLAIMS = 2


class Seeder:
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
        self.claims_of: Counter[int] = Counter()

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
        steps = StoryWriter(self, subject, claim, random.Random(key), options).steps(story, reference)
        anchor = last_step(steps, rule.anchor).at - reference
        opened = last_step(steps, "open").at - reference
        low = max(claim.contact_from, earliest_anchor - anchor)
        high = min(claim.open_until - opened, latest_anchor - anchor, self.epoch - SAFETY - (steps[-1].at - reference))
        if low > high:
            return None
        start = low + (high - low) * random.Random(f"{key}:start").random()
        # Whole seconds, like every moment the steps are built from, so that the bounds below are exact.
        start = start.replace(microsecond=0) + dt.timedelta(seconds=1 if start.microsecond else 0)
        # Weekends and holidays stretch business-day deadlines: nudge the start until everything fits.
        for _attempt in range(4):
            steps = StoryWriter(self, subject, claim, random.Random(key), options).steps(story, start)
            contact, opened_at, anchor_at = steps[0].at, last_step(steps, "open").at, last_step(steps, rule.anchor).at
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
                        story_play(subject, claim, steps, STORIES[story].status)
                except (DomainError, StoryAbandoned) as exc:
                    # As a person would: when the product says no, that order gets no case.
                    log.info("simulator: no %s case on %s: %s", story, subject.order.external_id, exc)
                    self.refused += 1
                    return None
                self.counts[story] += 1
                self.claims_of[subject.order.buyer_id] += 1
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
                    if self.claims_of[subject.order.buyer_id] >= HONEST_MOST_CLAIMS:
                        continue
                    wanted = {story: quotas[story] - made[story] for story in STORIES if made[story] < quotas[story]}
                    if not wanted:
                        return
                    first = rng.choices(list(wanted), weights=list(wanted.values()))[0]
                    rest = sorted(wanted, key=lambda story: -wanted[story])
                    played = self._attempt(subject, [first, *(s for s in rest if s != first)], fallback=fallback)
                    if played is not None:
                        made[played] += 1
