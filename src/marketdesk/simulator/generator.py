"""A deterministic, streaming generator of a marketplace's shops, buyers and orders.

Everything comes from one ``random.Random(seed)`` and a fixed epoch, never the
global random source or the wall clock, so the same seed and size give the same
marketplace on any machine. Orders are yielded one at a time: 100,000 of them
are never in memory together. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from marketdesk.core.money import currency_exponent
from marketdesk.orders.services import (
    BuyerData,
    DeliveryAddressData,
    LineData,
    OrderData,
    PaymentData,
    ShopData,
)
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus
from marketdesk.simulator import data
from marketdesk.simulator.data import Country, Good

S = OrderStatus

# Statuses come in shuffled blocks of this make-up, so every run of 20 orders has
# the same mix: small runs still show every status and proportions are exact.
STATUS_BLOCK: tuple[str, ...] = (
    (S.PLACED,) * 2
    + (S.PAID,) * 2
    + (S.SHIPPED,) * 3
    + (S.DELIVERED,) * 7
    + (S.CANCELLED,) * 2
    + (S.PARTIALLY_REFUNDED,) * 2
    + (S.REFUNDED,) * 2
)

# How many of the demo buyer's orders are in each status (12 in all).
DEMO_BUYER_QUOTA: dict[str, int] = {
    S.PLACED: 1,
    S.PAID: 2,
    S.SHIPPED: 2,
    S.DELIVERED: 3,
    S.CANCELLED: 1,
    S.PARTIALLY_REFUNDED: 1,
    S.REFUNDED: 2,
}
DEMO_SHOP_ORDERS = 30

# The first shops take these countries so that even the smallest run has every currency.
FIRST_SHOP_COUNTRIES = ("GB", "RU", "JP", "US", "DE", "FR")
COUNTRY_BY_CODE = {c.code: c for c in data.COUNTRIES}


def shop_count(orders: int) -> int:
    """Return how many shops a run of ``orders`` orders has: one per 50, at least 5."""
    return max(5, round(orders / 50))


def buyer_count(orders: int) -> int:
    """Return how many buyers a run has: about four orders each."""
    return max(20, orders // 4)


def order_external_id(seed: int, n: int) -> str:
    return f"MD{seed}-{n:07d}"


def shop_external_id(seed: int, i: int) -> str:
    return f"MD{seed}-SHOP-{i:04d}"


def seller_external_id(seed: int, i: int) -> str:
    return f"MD{seed}-SELLER-{i:04d}"


def buyer_external_id(seed: int, i: int) -> str:
    return f"MD{seed}-B{i:06d}"


@dataclass(frozen=True, slots=True)
class ShopPlan:
    index: int
    data: ShopData
    language: str
    currency: str
    owner_external_id: str
    owner_name: str
    goods: tuple[Good, ...]


@dataclass(frozen=True, slots=True)
class SimulatedOrder:
    """One order as the marketplace would send it, plus the history behind its status."""

    data: OrderData
    # (event type, source status, target status, when) for each move after placement.
    moves: tuple[tuple[str, str, str, dt.datetime], ...]
    updated_at: dt.datetime


# Statuses reached one way only; the others (cancelled, refunds) branch at random.
_FIXED_PATHS: dict[str, tuple[str, ...]] = {
    S.PLACED: (),
    S.PAID: (S.PAID,),
    S.SHIPPED: (S.PAID, S.SHIPPED),
    S.DELIVERED: (S.PAID, S.SHIPPED, S.DELIVERED),
}


@cache
def _exponent(currency: str) -> int:
    return currency_exponent(currency)


def price_minor(rng: random.Random, price_gbp: float, country: Country) -> int:
    """Return a shop-like price (12.99, 1 290 ₽, ¥2,480) in the currency's minor units."""
    major = price_gbp * country.rate * rng.uniform(0.85, 1.25)
    exponent = _exponent(country.currency)
    if country.currency == "JPY":
        return max(10, round(major / 10) * 10) * 10**exponent
    if country.currency == "RUB":
        whole = max(10, round(major / 10) * 10)
        return (whole - rng.choice((0, 0, 1, 10))) * 10**exponent
    whole = max(1, int(major))
    cents = rng.choice((99, 99, 49, 0, 95, 50))
    return whole * 10**exponent + cents * 10 ** (exponent - 2)


def shipping_minor(rng: random.Random, country: Country) -> int:
    """Return one of the country's usual shipping charges in minor units."""
    major = rng.choice(country.shipping_major)
    return round(major * 10 ** _exponent(country.currency))


def lines_for(rng: random.Random, shop: ShopPlan, order_id: str) -> tuple[LineData, ...]:
    """Return 1–4 lines of goods the shop sells, each adding up to quantity × unit price."""
    count = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
    country = COUNTRY_BY_CODE[shop.data.country]
    lines = []
    for i, good in enumerate(rng.sample(shop.goods, min(count, len(shop.goods))), start=1):
        quantity = rng.choices((1, 2, 3, 4, 5), weights=(70, 17, 7, 4, 2))[0]
        unit = price_minor(rng, good.price_gbp, country)
        lines.append(
            LineData(
                external_id=f"{order_id}-L{i}",
                title=good.ru if shop.language == "ru" else good.en,
                quantity=quantity,
                unit_price_minor=unit,
                total_minor=quantity * unit,
                sku=good.sku,
                category=data.category_of(good.sku),
                final_sale=good.sku in data.FINAL_SALE_SKUS,
            )
        )
    return tuple(lines)


STREETS = ("High Street", "Station Road", "Church Lane", "Park Avenue", "Victoria Road", "Green Lane", "Mill Road")
#: One buyer in this many shares a home with the next one: two accounts at one address, as households are.
HOUSEHOLD_EVERY = 40


def buyer_address(buyer: BuyerData) -> DeliveryAddressData:
    """Return the buyer's home: one of their own, or their household's (two accounts, under any ring's size)."""
    index = int(buyer.external_id.rsplit("-B", 1)[1])
    home = index - 1 if index % HOUSEHOLD_EVERY == 1 else index
    return DeliveryAddressData(
        line1=f"{home % 180 + 1} {STREETS[home % len(STREETS)]}",
        line2=f"Flat {home}",
        city="London",
        postcode=f"E{home % 20 + 1} {home % 9 + 1}AB",
        country="GB",
    )


def buyer_fingerprint(seed: int, buyer: BuyerData) -> str:
    """Return the buyer's own card, as the marketplace hashes it: no two simulated buyers share one."""
    return hashlib.sha256(f"simulated-card:{seed}:{buyer.external_id}".encode()).hexdigest()


def _minutes(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(seconds=rng.randint(low * 60, high * 60))


class MarketplaceGenerator:
    """Plans one simulated marketplace from a seed and yields its orders as a stream."""

    def __init__(self, *, seed: int, orders: int, epoch: dt.datetime) -> None:
        if epoch.tzinfo is None:
            raise ValueError("the epoch must be timezone-aware")
        self.seed = seed
        self.order_count = orders
        self.epoch = epoch.astimezone(dt.UTC)
        self.rng = random.Random(seed)
        self.shops = self._plan_shops()
        self.en_buyers, self.ru_buyers = self._plan_buyers()
        self._ru_shops = [s for s in self.shops if s.language == "ru"]
        self._other_shops = self.shops[1:]
        weights = [self.rng.uniform(0.3, 2.0) for _ in self._other_shops]
        total = 0.0
        self._shop_cum_weights = []
        for w in weights:
            total += w
            self._shop_cum_weights.append(total)

    # -- shops and buyers ---------------------------------------------------------

    @property
    def demo_buyer(self) -> BuyerData:
        """The buyer the ``buyer`` demo account takes over."""
        return self.en_buyers[0]

    @property
    def demo_shop(self) -> ShopPlan:
        """The shop whose owner the ``seller`` demo account takes over."""
        return self.shops[0]

    def _plan_shops(self) -> list[ShopPlan]:
        rng = self.rng
        shops = []
        names_seen: set[str] = set()
        weights = [c.weight for c in data.COUNTRIES]
        for i in range(shop_count(self.order_count)):
            if i < len(FIRST_SHOP_COUNTRIES):
                country = COUNTRY_BY_CODE[FIRST_SHOP_COUNTRIES[i]]
            else:
                country = rng.choices(data.COUNTRIES, weights=weights)[0]
            for _attempt in range(5):
                if country.language == "ru":
                    name = f"{rng.choice(data.SHOP_NAMES_RU_FIRST)} {rng.choice(data.SHOP_NAMES_RU_SECOND)}"
                else:
                    name = f"{rng.choice(data.SHOP_NAMES_EN_FIRST)} {rng.choice(data.SHOP_NAMES_EN_SECOND)}"
                if name not in names_seen:
                    break
            else:
                name = f"{name} {i}"
            names_seen.add(name)
            owner_name, _email, _lang = self._person(rng, russian=country.language == "ru")
            goods = tuple(rng.sample(data.GOODS, rng.randint(8, 16)))
            shops.append(
                ShopPlan(
                    index=i,
                    data=ShopData(external_id=shop_external_id(self.seed, i), name=name, country=country.code),
                    language=country.language,
                    currency=country.currency,
                    owner_external_id=seller_external_id(self.seed, i),
                    owner_name=owner_name,
                    goods=goods,
                )
            )
        return shops

    @staticmethod
    def _person(rng: random.Random, *, russian: bool) -> tuple[str, str, str]:
        if russian:
            female = rng.random() < 0.5
            first, first_latin = rng.choice(data.FIRST_NAMES_RU_FEMALE if female else data.FIRST_NAMES_RU_MALE)
            last, last_latin = rng.choice(data.LAST_NAMES_RU)
            if female:
                last, last_latin = last + "а", last_latin + "a"
            return f"{first} {last}", f"{first_latin}.{last_latin}", "ru"
        first = rng.choice(data.FIRST_NAMES_EN)
        last = rng.choice(data.LAST_NAMES_EN)
        return f"{first} {last}", f"{first.lower()}.{last.lower()}", "en"

    def _plan_buyers(self) -> tuple[list[BuyerData], list[BuyerData]]:
        total = buyer_count(self.order_count)
        ru_total = max(5, total // 4)
        en: list[BuyerData] = []
        ru: list[BuyerData] = []
        for i in range(total):
            russian = i >= total - ru_total
            name, mailbox, language = self._person(self.rng, russian=russian)
            buyer = BuyerData(
                external_id=buyer_external_id(self.seed, i),
                name=name,
                email=f"{mailbox}.{i}@example.com",
                language=language,
            )
            (ru if russian else en).append(buyer)
        return en, ru

    def all_buyers(self) -> list[BuyerData]:
        return [*self.en_buyers, *self.ru_buyers]

    # -- orders ----------------------------------------------------------------------

    def orders(self) -> Iterator[SimulatedOrder]:
        """Yield every order of the run, in order-number order."""
        rng = self.rng
        total = self.order_count
        demo_shop_every = max(1, total // DEMO_SHOP_ORDERS)
        demo_buyer_every = max(1, total // 60)
        demo_left = dict(DEMO_BUYER_QUOTA)
        demo_taken = 0
        block: list[str] = []
        for n in range(1, total + 1):
            if not block:
                block = list(STATUS_BLOCK)
                rng.shuffle(block)
            status = block.pop()
            buyer: BuyerData | None = None
            if n % demo_shop_every == demo_shop_every // 2 and n // demo_shop_every <= DEMO_SHOP_ORDERS:
                shop = self.shops[0]
            elif n % demo_buyer_every == 0 and demo_left.get(status, 0) > 0:
                demo_left[status] -= 1
                demo_taken += 1
                buyer = self.demo_buyer
                # Every other one of the demo buyer's orders comes from a Russian shop.
                shop = rng.choice(self._ru_shops) if demo_taken % 2 else rng.choice(self._other_shops)
            else:
                shop = rng.choices(self._other_shops, cum_weights=self._shop_cum_weights)[0]
            if buyer is None:
                russian = rng.random() < (0.92 if shop.language == "ru" else 0.05)
                pool = self.ru_buyers if russian else self.en_buyers
                # Index 0 of the English pool is the demo buyer, who gets only the orders above.
                buyer = pool[rng.randrange(1 if pool is self.en_buyers else 0, len(pool))]
            yield self._order(n, status, shop, buyer)

    def _order(self, n: int, status: str, shop: ShopPlan, buyer: BuyerData) -> SimulatedOrder:
        rng = self.rng
        order_id = order_external_id(self.seed, n)
        country = COUNTRY_BY_CODE[shop.data.country]
        lines = lines_for(rng, shop, order_id)
        shipping = shipping_minor(rng, country)
        total = sum(line.total_minor for line in lines) + shipping

        path = self._path(status)
        # Durations from placement, then how long the order has rested in its status.
        offsets: list[dt.timedelta] = []
        elapsed = dt.timedelta(0)
        for target in path:
            if target == S.PAID:
                step = _minutes(rng, 1, 240)
            elif target == S.SHIPPED:
                step = _minutes(rng, 6 * 60, 72 * 60)
            elif target == S.DELIVERED:
                step = _minutes(rng, 24 * 60, 8 * 24 * 60)
            elif target == S.CANCELLED:
                step = _minutes(rng, 30, 48 * 60)
            else:
                step = _minutes(rng, 2 * 60, 20 * 24 * 60)
            elapsed += step
            offsets.append(elapsed)
        if status == S.PLACED:
            rest = _minutes(rng, 5, 36 * 60)
        elif status == S.PAID:
            rest = _minutes(rng, 10, 4 * 24 * 60)
        elif status == S.SHIPPED:
            rest = _minutes(rng, 10, 9 * 24 * 60)
        else:
            rest = _minutes(rng, 60, 150 * 24 * 60)
        placed_at = (self.epoch - elapsed - rest).replace(microsecond=0)
        times = [placed_at + offset for offset in offsets]
        at = dict(zip(path, times, strict=True))

        estimated = None
        if not (status == S.CANCELLED and S.PAID not in at):
            estimated = (placed_at + dt.timedelta(days=rng.randint(3, 10))).replace(hour=18, minute=0, second=0)
        delivered_at = at.get(S.DELIVERED)

        payments = self._payments(order_id, status, at, total, country)

        moves = []
        source = str(S.PLACED)
        for target, when in zip(path, times, strict=True):
            move = ORDER_TRANSITIONS.find(source, target)
            if move is None or move.event is None:  # pragma: no cover - _path only walks the table
                raise AssertionError(f"no move {source} -> {target} recording an event")
            moves.append((move.event, source, str(target), when))
            source = str(target)

        order = OrderData(
            external_id=order_id,
            buyer=buyer,
            shop=shop.data,
            currency=country.currency,
            total_minor=total,
            placed_at=placed_at,
            lines=lines,
            status=str(status),
            shipping_minor=shipping,
            payments=payments,
            estimated_delivery_at=estimated,
            delivered_at=delivered_at,
            payment_fingerprint=buyer_fingerprint(self.seed, buyer) if payments else None,
            delivery_address=buyer_address(buyer),
        )
        return SimulatedOrder(data=order, moves=tuple(moves), updated_at=times[-1] if times else placed_at)

    def _payments(
        self, order_id: str, status: str, at: dict[str, dt.datetime], total: int, country: Country
    ) -> tuple[PaymentData, ...]:
        """Return the order's payment: captured when paid, refunded with the order, sometimes a failed try."""
        rng = self.rng
        method = rng.choice(country.payment_methods)
        if S.PAID in at:
            refunded = status in (S.REFUNDED, S.CANCELLED)
            return (
                PaymentData(
                    external_id=f"{order_id}-P1",
                    method=method,
                    amount_minor=total,
                    currency=country.currency,
                    status="refunded" if refunded else "captured",
                    paid_at=at[S.PAID],
                ),
            )
        if status == S.CANCELLED and rng.random() < 0.3:
            return (
                PaymentData(
                    external_id=f"{order_id}-P1",
                    method=method,
                    amount_minor=total,
                    currency=country.currency,
                    status="failed",
                ),
            )
        return ()

    def _path(self, status: str) -> list[str]:
        """Return the statuses an order went through after placement to reach ``status``."""
        rng = self.rng
        if status in _FIXED_PATHS:
            return list(_FIXED_PATHS[status])
        if status == S.CANCELLED:
            return [S.CANCELLED] if rng.random() < 0.5 else [S.PAID, S.CANCELLED]
        before = [[S.PAID], [S.PAID, S.SHIPPED], [S.PAID, S.SHIPPED, S.DELIVERED]]
        if status == S.PARTIALLY_REFUNDED:
            return [*rng.choices(before, weights=(1, 1, 4))[0], S.PARTIALLY_REFUNDED]
        before.append([S.PAID, S.SHIPPED, S.DELIVERED, S.PARTIALLY_REFUNDED])
        return [*rng.choices(before, weights=(2, 1, 4, 1))[0], S.REFUNDED]
