"""Writes of the built-in simulated marketplace.

``marketplace_simulate`` fills a marketplace from a seed in bulk, in batches,
one transaction per batch, as the generator streams them. It writes through the
orders' one bulk path, ``orders.bulk.orders_bulk_insert``, which stores exactly
what ``order_upsert`` would (the same content hash, the ``order.placed`` event and
one event per status move) without the ORM per row: 100,000 orders in about a
minute instead of an hour; the orders' tests hold the two paths to the same rows. ``simulation_tick`` is the slow, faithful path: it acts as
the marketplace through ``order_upsert`` to keep a demo moving (``ticking``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.bulk import OrderHistory, orders_bulk_insert
from marketdesk.orders.models import Marketplace, Order
from marketdesk.simulator.generator import MarketplaceGenerator, SimulatedOrder
from marketdesk.simulator.services.people import buyers_ensure, shops_ensure

DEFAULT_SLUG = "demo"
DEFAULT_NAME = "Demo Market"


@dataclass(frozen=True)
class SimulationResult:
    marketplace: Marketplace
    orders_created: int
    orders_skipped: int
    lines: int
    payments: int
    events: int
    shops: int
    buyers: int


def simulation_epoch(now: dt.datetime | None = None) -> dt.datetime:
    """Return the fixed point the simulated timeline ends at: today, midnight UTC."""
    at = (now or clock.now()).astimezone(dt.UTC)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _chunks(items: Iterable[SimulatedOrder], size: int) -> Iterator[list[SimulatedOrder]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def marketplace_simulate(
    *,
    seed: int,
    orders: int,
    epoch: dt.datetime,
    slug: str = DEFAULT_SLUG,
    name: str = DEFAULT_NAME,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 10_000,
) -> SimulationResult:
    """Fill a marketplace with ``orders`` generated orders; orders it already has are skipped.

    ``progress(done, total)`` is called every ``progress_every`` orders.
    """
    plan = MarketplaceGenerator(seed=seed, orders=orders, epoch=epoch)
    marketplace, _created = Marketplace.objects.get_or_create(slug=slug, defaults={"name": name})
    shop_ids = shops_ensure(marketplace, plan)
    buyer_ids = buyers_ensure(marketplace, plan.all_buyers())

    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    created = skipped = line_count = payment_count = event_count = 0
    done = 0
    next_report = progress_every
    for batch in _chunks(plan.orders(), batch_size):
        with transaction.atomic():
            ids = [o.data.external_id for o in batch]
            existing = set(
                Order.objects.filter(marketplace=marketplace, external_id__in=ids).values_list("external_id", flat=True)
            )
            fresh = [OrderHistory(data=o.data, moves=o.moves) for o in batch if o.data.external_id not in existing]
            skipped += len(batch) - len(fresh)
            counts = orders_bulk_insert(
                actor=actor, marketplace=marketplace, histories=fresh, buyer_ids=buyer_ids, shop_ids=shop_ids
            )
        created += counts.orders
        line_count += counts.lines
        payment_count += counts.payments
        event_count += counts.events
        done += len(batch)
        if progress is not None and done >= next_report:
            progress(done, orders)
            next_report += progress_every
    return SimulationResult(
        marketplace=marketplace,
        orders_created=created,
        orders_skipped=skipped,
        lines=line_count,
        payments=payment_count,
        events=event_count,
        shops=len(plan.shops),
        buyers=len(buyer_ids),
    )
