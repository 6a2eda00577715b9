"""The entry point: give a simulated marketplace's orders their cases, staff and satisfaction surveys."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from marketdesk.accounts.models import User, UserRole
from marketdesk.cases.models import Case
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import calendar_for
from marketdesk.core.models import TimelineEvent
from marketdesk.core.policies import policy_current
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace, Order
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import generator as gen
from marketdesk.simulator.cases.seeding import Seeder
from marketdesk.simulator.cases.steps import span
from marketdesk.simulator.cases.stories import (
    CASE_RATE,
    DEMO_BUYER_STORIES,
    DEMO_SELLER_STORIES,
    FALLBACK_STATUSES,
    MAX_CASES,
    MIN_CASES,
    STAFF,
    CaseSimulationResult,
)
from marketdesk.simulator.mail import past_mail_sent
from marketdesk.simulator.services.people import user_new, users_ensure

# -- staff --------------------------------------------------------------------------


def staff_external_id(seed: int, i: int) -> str:
    return f"MD{seed}-STAFF-{i:02d}"


def _staff_ensure(marketplace: Marketplace, seed: int) -> dict[str, list[User]]:
    """Create the simulated support operators that are missing; return them by language."""
    planned = []
    for i, (language, name, mailbox) in enumerate(STAFF):
        user = user_new(
            marketplace,
            external_id=staff_external_id(seed, i),
            name=name,
            email=f"{mailbox}.{seed}@support.example.com",
            language=language,
            role=UserRole.OPERATOR,
        )
        planned.append(user)
    ids = users_ensure(marketplace, planned)
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
        seeder = Seeder(
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
        past_mail_sent(marketplace, after=last_notification)
    return CaseSimulationResult(
        created=seeder.created,
        refused=seeder.refused,
        already_there=False,
        stories={str(story): n for story, n in sorted(seeder.counts.items())},
    )


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
    from marketdesk.console.services.satisfaction import survey_answer, surveys_ask_closed

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
            with clock.frozen(min(at + span(rng, dt.timedelta(hours=1), dt.timedelta(days=2)), now)):
                survey_answer(actor=Actor.for_user(survey.user), survey=survey, score=score, comment=comment)
            answered += 1
    return answered


def _pks(orders: QuerySet[Order], statuses: tuple[str, ...]) -> list[int]:
    return list(orders.filter(status__in=statuses).order_by("external_id").values_list("pk", flat=True))
