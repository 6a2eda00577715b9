"""The marketplace keeps moving: ``simulation_tick`` acts as the marketplace through ``order_upsert``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
from dataclasses import dataclass

from marketdesk.accounts.models import User, UserRole
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.orders.models import Marketplace, Order, Shop
from marketdesk.orders.services import BuyerData, LineData, OrderData, PaymentData, ShopData, order_upsert
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import generator as gen

log = logging.getLogger(__name__)

# -- the marketplace keeps moving ------------------------------------------------------


@dataclass(frozen=True)
class TickResult:
    advanced: list[tuple[str, str]]
    created: list[str]


NEXT_STATUS = {
    OrderStatus.PLACED: OrderStatus.PAID,
    OrderStatus.PAID: OrderStatus.SHIPPED,
    OrderStatus.SHIPPED: OrderStatus.DELIVERED,
}


def order_data_from_order(order: Order) -> OrderData:
    """Return what the marketplace would send for a stored order (its content hash matches)."""
    lines = tuple(
        LineData(
            external_id=line.external_id,
            title=line.title,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            total_minor=line.total_minor,
            sku=line.sku,
            category=line.category,
            final_sale=line.final_sale,
        )
        for line in order.lines.all()
    )
    payments = tuple(
        PaymentData(
            external_id=p.external_id,
            method=p.method,
            amount_minor=p.amount_minor,
            currency=p.currency,
            status=p.status,
            paid_at=p.paid_at,
        )
        for p in order.payments.all()
    )
    buyer = order.buyer
    return OrderData(
        external_id=order.external_id,
        buyer=BuyerData(
            external_id=buyer.external_id, name=buyer.display_name, email=buyer.email, language=buyer.language
        ),
        shop=ShopData(external_id=order.shop.external_id, name=order.shop.name, country=order.shop.country),
        currency=order.currency,
        total_minor=order.total_minor,
        placed_at=order.placed_at,
        lines=lines,
        status=order.status,
        shipping_minor=order.total_minor - sum(line.total_minor for line in lines),
        payments=payments,
        estimated_delivery_at=order.estimated_delivery_at,
        delivered_at=order.delivered_at,
    )


def simulation_tick(
    *, marketplace: Marketplace, rng: random.Random, advance: int = 3, new_order_chance: float = 0.5
) -> TickResult:
    """Move a few open orders one status on and now and then place a new one, as the marketplace.

    Everything goes through ``order_upsert``, which moves statuses with
    ``transition()`` and records each event, so the demo shows live changes
    exactly as an integrated marketplace would cause them.
    """
    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    now = clock.now().replace(microsecond=0)
    advanced: list[tuple[str, str]] = []
    candidates = list(
        Order.objects.filter(marketplace=marketplace, status__in=list(NEXT_STATUS))
        .order_by("placed_at", "id")
        .values_list("pk", flat=True)[:200]
    )
    for pk in rng.sample(candidates, min(advance, len(candidates))):
        order = Order.objects.select_related("buyer", "shop").prefetch_related("lines", "payments").get(pk=pk)
        current = order_data_from_order(order)
        target = NEXT_STATUS[OrderStatus(order.status)]
        payments = current.payments
        if target == OrderStatus.PAID and not any(p.status == "captured" for p in payments):
            payments = (
                *payments,
                PaymentData(
                    external_id=f"{order.external_id}-P{len(payments) + 1}",
                    method="card",
                    amount_minor=order.total_minor,
                    currency=order.currency,
                    status="captured",
                    paid_at=now,
                ),
            )
        data = dataclasses.replace(
            current,
            status=str(target),
            payments=payments,
            delivered_at=now if target == OrderStatus.DELIVERED else current.delivered_at,
        )
        try:
            order_upsert(actor=actor, marketplace=marketplace, data=data)
        except DomainError as exc:
            # An order the marketplace never sent this way (e.g. typed in by hand) is left alone.
            log.info("simulator: %s not advanced: %s", order.external_id, exc)
            continue
        advanced.append((order.external_id, str(target)))
    created: list[str] = []
    if rng.random() < new_order_chance:
        new = _live_order(marketplace, rng, now)
        if new is not None:
            order_upsert(actor=actor, marketplace=marketplace, data=new)
            created.append(new.external_id)
    return TickResult(advanced=advanced, created=created)


def _live_order(marketplace: Marketplace, rng: random.Random, now: dt.datetime) -> OrderData | None:
    shops = list(Shop.objects.filter(marketplace=marketplace).order_by("pk").values_list("pk", flat=True)[:500])
    buyers = list(
        User.objects.filter(marketplace=marketplace, role=UserRole.BUYER)
        .exclude(external_id="")
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    if not shops or not buyers:
        return None
    shop = Shop.objects.get(pk=rng.choice(shops))
    buyer = User.objects.get(pk=rng.choice(buyers))
    country = gen.COUNTRY_BY_CODE.get(shop.country, gen.COUNTRY_BY_CODE["GB"])
    external_id = f"LIVE-{now:%Y%m%d-%H%M%S}-{rng.randrange(10_000):04d}"
    plan = gen.ShopPlan(
        index=0,
        data=ShopData(external_id=shop.external_id, name=shop.name, country=country.code),
        language=country.language,
        currency=country.currency,
        owner_external_id="",
        owner_name="",
        goods=tuple(rng.sample(gen.data.GOODS, 10)),
    )
    lines = gen.lines_for(rng, plan, external_id)
    shipping = gen.shipping_minor(rng, country)
    return OrderData(
        external_id=external_id,
        buyer=BuyerData(
            external_id=buyer.external_id, name=buyer.display_name, email=buyer.email, language=buyer.language
        ),
        shop=plan.data,
        currency=country.currency,
        total_minor=sum(line.total_minor for line in lines) + shipping,
        placed_at=now,
        lines=lines,
        status=str(OrderStatus.PLACED),
        shipping_minor=shipping,
        estimated_delivery_at=(now + dt.timedelta(days=rng.randint(3, 10))).replace(hour=18, minute=0, second=0),
    )
