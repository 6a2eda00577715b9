"""Writes of the built-in simulated marketplace.

``marketplace_simulate`` fills a marketplace from a seed in bulk: rows are
written with ``bulk_create`` in batches, one transaction per batch, as the
generator streams them. That bypasses ``order_upsert`` for speed (100,000 orders
in about a minute instead of an hour) but stores exactly what it would: the same
content hash, the ``order.placed`` event and one event per status move, from the
declared event types. ``simulation_tick`` is the slow, faithful path: it acts as
the marketplace through ``order_upsert`` to keep a demo moving.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import random
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainError, PermissionDenied
from marketdesk.core.models import TimelineEvent
from marketdesk.core.timeline import StatusChanged, event_type
from marketdesk.orders.events import ORDER_PLACED, OrderPlacedPayload
from marketdesk.orders.models import Marketplace, Order, OrderLine, Payment, Shop
from marketdesk.orders.services import (
    BuyerData,
    LineData,
    OrderData,
    PaymentData,
    ShopData,
    order_content_hash,
    order_upsert,
)
from marketdesk.orders.states import OrderStatus
from marketdesk.simulator import generator as gen
from marketdesk.simulator.demo_texts import demo_texts_ensure
from marketdesk.simulator.generator import MarketplaceGenerator, SimulatedOrder

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo"  # noqa: S105 - the published password of the demo logins, refused in production
DEMO_USERNAMES = ("buyer", "seller", "operator", "admin")
DEFAULT_SLUG = "demo"
DEFAULT_NAME = "Demo Market"


class DemoAccountsRefused(PermissionDenied):
    code = "demo_refused"
    default_message = _("Demo accounts with a known password are never created on a production instance.")


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
    shop_ids = _shops_ensure(marketplace, plan)
    buyer_ids = _buyers_ensure(marketplace, plan.all_buyers())

    writer = _BulkWriter(connection)
    order_type_id = ContentType.objects.get_for_model(Order).pk
    placed_audience = ORDER_PLACED.audience
    audiences = {name: event_type(name).audience for name in {m.event for m in Order.TRANSITIONS.moves if m.event}}
    actor_role = str(Role.MARKETPLACE)
    at = writer.datetime
    created = skipped = line_count = payment_count = event_count = 0
    done = 0
    next_report = progress_every
    for batch in _chunks(plan.orders(), batch_size):
        with transaction.atomic():
            ids = [o.data.external_id for o in batch]
            existing = set(
                Order.objects.filter(marketplace=marketplace, external_id__in=ids).values_list("external_id", flat=True)
            )
            fresh = [o for o in batch if o.data.external_id not in existing]
            skipped += len(batch) - len(fresh)
            pks = writer.reserve_ids(Order, len(fresh))
            orders_rows: list[tuple[Any, ...]] = []
            lines: list[tuple[Any, ...]] = []
            payments: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            for pk, o in zip(pks, fresh, strict=True):
                d = o.data
                orders_rows.append(
                    (
                        pk,
                        marketplace.pk,
                        d.external_id,
                        buyer_ids[d.buyer.external_id],
                        shop_ids[d.shop.external_id],
                        d.status,
                        d.currency,
                        d.total_minor,
                        at(d.placed_at),
                        at(d.estimated_delivery_at),
                        at(d.delivered_at),
                        order_content_hash(d),
                        len(d.lines),
                        at(d.placed_at),
                        at(o.updated_at),
                    )
                )
                lines.extend(
                    (pk, ln.external_id, ln.sku, ln.title, ln.quantity, ln.unit_price_minor, ln.total_minor)
                    for ln in d.lines
                )
                payments.extend(
                    (pk, p.external_id, p.method, p.amount_minor, p.currency, p.status, at(p.paid_at))
                    for p in d.payments
                )
                placed = OrderPlacedPayload(
                    status=OrderStatus.PLACED, total_minor=d.total_minor, currency=d.currency, lines=len(d.lines)
                )
                events.append(
                    (
                        order_type_id,
                        pk,
                        ORDER_PLACED.name,
                        None,
                        actor_role,
                        at(d.placed_at),
                        placed_audience,
                        writer.json(placed.model_dump(mode="json")),
                    )
                )
                for name_, source, target, when in o.moves:
                    payload = StatusChanged(source=source, target=target).model_dump(mode="json")
                    events.append(
                        (order_type_id, pk, name_, None, actor_role, at(when), audiences[name_], writer.json(payload))
                    )
            writer.insert(Order, _ORDER_COLUMNS, orders_rows)
            writer.insert(OrderLine, _LINE_COLUMNS, lines)
            writer.insert(Payment, _PAYMENT_COLUMNS, payments)
            writer.insert(TimelineEvent, _EVENT_COLUMNS, events)
        created += len(orders_rows)
        line_count += len(lines)
        payment_count += len(payments)
        event_count += len(events)
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


_ORDER_COLUMNS = (
    "id",
    "marketplace",
    "external_id",
    "buyer",
    "shop",
    "status",
    "currency",
    "total_minor",
    "placed_at",
    "estimated_delivery_at",
    "delivered_at",
    "content_hash",
    "line_count",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = ("order", "external_id", "sku", "title", "quantity", "unit_price_minor", "total_minor")
_PAYMENT_COLUMNS = ("order", "external_id", "method", "amount_minor", "currency", "status", "paid_at")
_EVENT_COLUMNS = (
    "subject_type",
    "subject_id",
    "event_type",
    "actor_user",
    "actor_role",
    "occurred_at",
    "audience",
    "payload",
)


class _BulkWriter:
    """Plain multi-row INSERTs for the bulk load, on SQLite and PostgreSQL.

    Even ``bulk_create`` spends most of a 100,000-order load compiling SQL value
    by value; ``executemany`` with prepared tuples is several times faster. The
    rows are the ones the models would write: every column is listed, values are
    adapted by the backend's own operations, and order ids are reserved from the
    table's sequence so that lines and events can point at them without a
    round trip.
    """

    def __init__(self, conn: BaseDatabaseWrapper) -> None:
        if conn.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"the bulk simulator supports SQLite and PostgreSQL, not {conn.vendor}")
        self.conn = conn
        self.ops = conn.ops

    def datetime(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def json(self, value: dict[str, Any]) -> Any:
        return self.ops.adapt_json_value(value, None)

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        """Return ``count`` unused primary keys of ``model``'s table (inside the caller's transaction)."""
        if count == 0:
            return []
        table = model._meta.db_table
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction is IMMEDIATE, so nobody else writes until it ends.
            # The table name comes from model metadata, quoted by the backend: nothing user-supplied.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.ops.quote_name(table)}")  # noqa: S608
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))

    def insert(self, model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        meta = model._meta
        columns = ", ".join(self.ops.quote_name(_column(model, f)) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {self.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.pk if name == "id" else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} is not a concrete column")
    return column


def _shops_ensure(marketplace: Marketplace, plan: MarketplaceGenerator) -> dict[str, int]:
    """Create the planned shops and their owners that are missing; return shop ids by external id."""
    with transaction.atomic():
        have = dict(Shop.objects.filter(marketplace=marketplace).values_list("external_id", "pk"))
        Shop.objects.bulk_create(
            [
                Shop(marketplace=marketplace, external_id=s.data.external_id, name=s.data.name, country=s.data.country)
                for s in plan.shops
                if s.data.external_id not in have
            ]
        )
        have = dict(Shop.objects.filter(marketplace=marketplace).values_list("external_id", "pk"))
        owners = [
            _new_user(
                marketplace,
                external_id=s.owner_external_id,
                name=s.owner_name,
                email=f"{s.owner_external_id.lower()}@example.com",
                language=s.language,
                role=UserRole.SELLER,
            )
            for s in plan.shops
        ]
        owner_ids = _users_ensure(marketplace, owners)
        members = set(ShopMembership.objects.filter(shop__marketplace=marketplace).values_list("shop_id", "user_id"))
        ShopMembership.objects.bulk_create(
            [
                ShopMembership(
                    shop_id=have[s.data.external_id], user_id=owner_ids[s.owner_external_id], role=MembershipRole.OWNER
                )
                for s in plan.shops
                if (have[s.data.external_id], owner_ids[s.owner_external_id]) not in members
            ]
        )
    return have


def _buyers_ensure(marketplace: Marketplace, buyers: list[BuyerData]) -> dict[str, int]:
    """Create the planned buyers that are missing; return user ids by external id."""
    with transaction.atomic():
        return _users_ensure(
            marketplace,
            [
                _new_user(marketplace, external_id=b.external_id, name=b.name, email=b.email, language=b.language)
                for b in buyers
            ],
        )


def _new_user(
    marketplace: Marketplace, *, external_id: str, name: str, email: str, language: str, role: str = UserRole.BUYER
) -> User:
    # The same username order_upsert gives a buyer it creates, so both paths agree.
    user = User(
        username=f"{marketplace.slug}:{external_id}"[:150],
        marketplace=marketplace,
        external_id=external_id,
        display_name=name,
        email=email,
        language=language,
        role=role,
    )
    # Django's set_unusable_password() draws 40 characters one by one from the OS: too slow for
    # 25,000 buyers. One random suffix per user from a single draw is just as unusable.
    user.password = f"{UNUSABLE_PASSWORD_PREFIX}{secrets.token_hex(20)}"
    return user


def _users_ensure(marketplace: Marketplace, users: list[User]) -> dict[str, int]:
    wanted = {u.external_id for u in users}
    have = {
        ext: pk
        for ext, pk in User.objects.filter(marketplace=marketplace).values_list("external_id", "pk")
        if ext in wanted
    }
    User.objects.bulk_create([u for u in users if u.external_id not in have], batch_size=2000)
    have.update(
        (ext, pk)
        for ext, pk in User.objects.filter(marketplace=marketplace).values_list("external_id", "pk")
        if ext in wanted
    )
    return have


# -- demo accounts ---------------------------------------------------------------------


def demo_accounts_ensure(*, marketplace: Marketplace, seed: int) -> dict[str, User]:
    """Give the four demo logins (password ``demo``) to a simulated marketplace; never in production.

    ``buyer`` takes over the generated buyer with a dozen orders in every status,
    ``seller`` the owner of the shop with about thirty orders; ``operator`` and
    ``admin`` are the marketplace's support staff. Repeat calls change nothing.
    """
    if settings.PRODUCTION:
        raise DemoAccountsRefused()
    accounts: dict[str, User] = {}
    with transaction.atomic():
        # The generator always hands the demo orders to its first buyer and first shop.
        accounts["buyer"] = _claim(marketplace, "buyer", gen.buyer_external_id(seed, 0))
        accounts["seller"] = _claim(marketplace, "seller", gen.seller_external_id(seed, 0))
        for username, role, display in (
            ("operator", UserRole.OPERATOR, "Olivia Operator"),
            ("admin", UserRole.ADMIN, "Adam Admin"),
        ):
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role = role
            user.marketplace = marketplace
            user.display_name = user.display_name or display
            user.email = user.email or f"{username}@example.com"
            user.is_staff = user.is_superuser = role == UserRole.ADMIN
            accounts[username] = user
        # One hash for all four: each costs a second of PBKDF2 and the password is public anyway.
        encoded = make_password(DEMO_PASSWORD)
        for user in accounts.values():
            user.password = encoded
            user.is_active = True
            user.save()
        # The demo operator runs the whole console, seller enforcement included.
        enforce = Permission.objects.get(content_type__app_label="standards", codename="apply_enforcement")
        accounts["operator"].user_permissions.add(enforce)
        demo_texts_ensure(marketplace=marketplace, admin=accounts["admin"], seller=accounts["seller"])
    return accounts


def _claim(marketplace: Marketplace, username: str, external_id: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = User.objects.filter(marketplace=marketplace, external_id=external_id).first()
    if user is None:
        raise DomainError(
            _("The simulated marketplace has no user %(id)s to turn into a demo login.") % {"id": external_id}
        )
    user.username = username
    return user


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
