"""Returns for a simulated marketplace, written through the return services only.

``marketplace_returns_simulate`` gives a handful of the demo buyer's delivered
orders a return, one per *story*, each ending in a different stage: waiting for
the seller, approved with its label, on its way back (tracked), received,
refunded, refused, and an exchange whose replacement was sent. Each returns one
item; an order with several items can carry several stories. The demo buyer has
few orders delivered within the return window, so when theirs run out the demo
shop's delivered orders, then any others, carry the rest. Each step runs
through its service under ``clock.frozen(step)``, so the timeline, ledger,
notifications and webhooks are the ones a real return writes; the e-mail about
that past counts as sent back then. A story a service refuses (a refund cap
reached by a case, say) is rolled back alone and skipped. Runs once per marketplace.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from marketdesk.accounts.models import User
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.core.policies import policy_current
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace, Order
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Resolution, Return, ReturnReason
from marketdesk.returns.selectors import returnable_lines
from marketdesk.returns.services.approval import return_refuse
from marketdesk.returns.services.inspection import LineInspection, return_inspect, return_replacement_ship
from marketdesk.returns.services.receipt import return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.shipping.models import Carrier
from marketdesk.simulator import generator as gen
from marketdesk.simulator.mail import past_mail_sent

log = logging.getLogger(__name__)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class _Ctx:
    order: Order
    buyer: Actor
    seller: Actor
    carrier: Carrier | None
    start: dt.datetime


def _request(ctx: _Ctx, *, reason: str = ReturnReason.DOESNT_FIT, resolution: str = Resolution.REFUND) -> Return:
    lines = [line for line, left in returnable_lines(ctx.order.pk) if left > 0]
    # A final-sale line does not come back for a bad fit: the simulated buyer returns another when there is one.
    line = next((line for line in lines if not line.final_sale), lines[0])
    with clock.frozen(ctx.start):
        return return_request(
            actor=ctx.buyer,
            order=ctx.order,
            lines={line.pk: 1},
            reason=reason,
            resolution=resolution,
            description="I bought it twice by mistake." if reason == ReturnReason.OTHER else "",
        )


def _ship(ctx: _Ctx, ret: Return, at: dt.datetime) -> None:
    with clock.frozen(at):
        return_mark_shipped(
            actor=ctx.buyer,
            ret=ret,
            carrier=ctx.carrier.code if ctx.carrier else "",
            tracking_number=f"RT{ret.code[3:]}",
        )


def _receive(ctx: _Ctx, ret: Return, at: dt.datetime) -> None:
    with clock.frozen(at):
        return_receive(actor=ctx.seller, code=ret.code)


def _inspect(ctx: _Ctx, ret: Return, at: dt.datetime) -> None:
    results = {rl.pk: LineInspection(accepted=rl.quantity, condition="as_new") for rl in ret.lines.all()}
    with clock.frozen(at):
        return_inspect(actor=ctx.seller, ret=ret, results=results)


def _awaiting_seller(ctx: _Ctx) -> None:
    _request(ctx, reason=ReturnReason.OTHER)


def _approved(ctx: _Ctx) -> None:
    _request(ctx)


def _shipped(ctx: _Ctx) -> None:
    _ship(ctx, _request(ctx), ctx.start + DAY)


def _received(ctx: _Ctx) -> None:
    ret = _request(ctx)
    _ship(ctx, ret, ctx.start + DAY)
    _receive(ctx, ret, ctx.start + 2 * DAY)


def _refunded(ctx: _Ctx) -> None:
    ret = _request(ctx, reason=ReturnReason.CHANGED_MIND)
    _ship(ctx, ret, ctx.start + DAY)
    _receive(ctx, ret, ctx.start + 3 * DAY)
    _inspect(ctx, ret, ctx.start + 3 * DAY + 2 * HOUR)


def _refused(ctx: _Ctx) -> None:
    ret = _request(ctx, reason=ReturnReason.OTHER)
    with clock.frozen(ctx.start + DAY):
        return_refuse(actor=ctx.seller, ret=ret, reason="Personalised items cannot be returned.")


def _replaced(ctx: _Ctx) -> None:
    ret = _request(ctx, resolution=Resolution.EXCHANGE)
    _ship(ctx, ret, ctx.start + DAY)
    _receive(ctx, ret, ctx.start + 3 * DAY)
    _inspect(ctx, ret, ctx.start + 3 * DAY + HOUR)
    if ctx.carrier is not None:
        with clock.frozen(ctx.start + 4 * DAY):
            return_replacement_ship(actor=ctx.seller, ret=ret, carrier=ctx.carrier, tracking_number=f"RP{ret.code[3:]}")


#: (story, how long before the epoch the request is made): recent for open stages, older for settled ones.
STORIES: tuple[tuple[str, dt.timedelta, Callable[[_Ctx], None]], ...] = (
    ("replaced", 12 * DAY, _replaced),
    ("refunded", 10 * DAY, _refunded),
    ("refused", 6 * DAY, _refused),
    ("received", 3 * DAY, _received),
    ("shipped", 2 * DAY, _shipped),
    ("approved", 10 * HOUR, _approved),
    ("awaiting_seller", 5 * HOUR, _awaiting_seller),
)


def _seller_of(order: Order) -> User | None:
    return User.objects.filter(memberships__shop_id=order.shop_id, is_active=True).order_by("id").first()


def _items_left(order: Order) -> int:
    return sum(max(left, 0) for _line, left in returnable_lines(order.pk))


def marketplace_returns_simulate(*, marketplace: Marketplace, seed: int, epoch: dt.datetime | None = None) -> int:
    """Give the demo buyer's delivered orders returns in every stage, through the services; return how many."""

    buyer = User.objects.filter(marketplace=marketplace, external_id=gen.buyer_external_id(seed, 0)).first()
    if buyer is None or Return.objects.filter(order__marketplace=marketplace).exists():
        return 0
    epoch = min(epoch or clock.now(), clock.now())
    window = policy_current().return_window_days
    demo_shop = gen.shop_external_id(seed, 0)
    orders = list(
        Order.objects.filter(
            marketplace=marketplace,
            status=OrderStatus.DELIVERED,
            delivered_at__gte=epoch - dt.timedelta(days=window - 1),
            delivered_at__lt=epoch - HOUR,
        )
        .select_related("marketplace", "shop", "buyer")
        .order_by("delivered_at", "id")
    )
    # The demo buyer's own orders first, then the demo shop's, then the rest (oldest delivery first in each).
    orders.sort(key=lambda o: (o.buyer_id != buyer.pk, o.shop.external_id != demo_shop))
    carrier = Carrier.objects.order_by("code").first()
    made = 0
    with transaction.atomic():
        last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for name, before, story in STORIES:
            start = (epoch - before).replace(microsecond=0)
            order = next(
                (
                    o
                    for o in orders
                    if o.delivered_at and o.delivered_at < start - HOUR and _items_left(o) and _seller_of(o)
                ),
                None,
            )
            if order is None:
                continue
            seller = _seller_of(order)
            assert seller is not None  # noqa: S101 - checked when picked
            ctx = _Ctx(order, Actor.for_user(order.buyer), Actor.for_user(seller), carrier, start)
            try:
                with transaction.atomic():
                    story(ctx)
            except DomainError as exc:
                log.info("simulated return %s on %s refused: %s", name, order.external_id, exc.message)
                orders.remove(order)
                continue
            made += 1
        past_mail_sent(marketplace, after=last_notification)
    return made
