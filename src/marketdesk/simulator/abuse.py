"""Abusive buyers, a scam seller and a ring of linked accounts for a simulated marketplace, through the services.

``marketplace_abuse_simulate`` adds, beside the generated honest majority, the people risk signals are for:

* ``CLAIMER``: a claim on every one of four orders (many claims per order);
* ``SIGNED``: "not received" on two parcels the carrier delivered with a signature or a photo;
* ``QUICK``: two claims within the hour after delivery, among eight orders;
* ``LATE``: three returns, each asked for in the return window's last day;
* ``SWAPPER``: two returns whose parcels came back without the item sent (inspection mismatches);
* ``RING-1`` to ``RING-3``: three accounts ordering to one address, the first two paying with one card;
* the scam seller's shop ``SCAM-SHOP``: four buyers say its one lamp is not as described, and it asks them
  to pay by card transfer and to write on Telegram or WhatsApp (message safety flags those messages).

Every step is a service call under ``clock.frozen`` at its moment in the last weeks before the epoch: the
marketplace's ``order_upsert`` (each order with its payment fingerprint and delivery address), the buyer's
contact and ``case_open``, the carrier's events through ``tracking_events_ingest`` (the proof of delivery in
the raw event), the return services. Their e-mail about that past counts as sent. Runs once per marketplace.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from marketdesk.accounts.models import MembershipRole, ShopMembership, User, UserRole
from marketdesk.cases.models import CaseType
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_current
from marketdesk.messaging.services import order_message_post
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import Marketplace, Order, Shop
from marketdesk.orders.services import (
    BuyerData,
    DeliveryAddressData,
    LineData,
    OrderData,
    PaymentData,
    ShopData,
    order_upsert,
)
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Condition, Return, ReturnReason
from marketdesk.returns.services.inspection import LineInspection, return_inspect
from marketdesk.returns.services.receipt import return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.shipping.ingest import tracking_events_ingest
from marketdesk.shipping.models import Carrier
from marketdesk.shipping.services import AddressData, shipment_create
from marketdesk.simulator.mail import past_mail_sent
from marketdesk.simulator.services.people import user_new, users_ensure
from marketdesk.simulator.shipping import ON_TIME_DELIVERY_HOURS, carrier_stream

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
PRICE = 3499
SCAM_SKU = "SCAM-LAMP-01"

#: What the scam seller writes back to each buyer (their own words: not interface strings).
SCAM_REPLIES = (
    "Переведите мне на карту напрямую, пишите в телеграм @lampa_store — так быстрее.",
    "Pay me by card transfer directly and text me on WhatsApp +44 7700 900123, I'll sort it out.",
    "Perevedite mne na kartu napryamuyu, pishite v telegram lampa_store.",
    "Skin' nomer karty, I will refund you outside the site.",
)


def abuse_external_id(seed: int, key: str) -> str:
    """Return the external id of one of the seeded parties (``CLAIMER``, ``RING-1``, ``SCAM-SHOP`` …)."""
    return f"MD{seed}-RISK-{key}"


def _fingerprint(seed: int, card: str) -> str:
    # What a marketplace sends: its own SHA-256 of the processor's card fingerprint.
    return hashlib.sha256(f"simulated-card:{seed}:{card}".encode()).hexdigest()


@dataclass(frozen=True)
class AbuseResult:
    orders: int
    cases: int
    returns: int
    already_there: bool = False


class _Abuse:
    """Seeds the parties of one marketplace, counting what it made."""

    def __init__(self, *, marketplace: Marketplace, seed: int, epoch: dt.datetime) -> None:
        self.marketplace = marketplace
        self.seed = seed
        self.epoch = epoch
        self.actor = Actor.marketplace(marketplace_id=marketplace.pk)
        self.carrier = Carrier.objects.order_by("code").first()
        self.orders = self.cases = self.returns = 0
        self.owners: dict[str, Actor] = {}

    # -- parties -------------------------------------------------------------------------

    def shop(self, key: str, name: str) -> ShopData:
        """Open the shop with its owner (a seller login of the marketplace), once; return its data."""
        owner_id = abuse_external_id(self.seed, f"{key}-OWNER")
        owner = user_new(
            self.marketplace,
            external_id=owner_id,
            name=f"{name} owner",
            email=f"{owner_id.lower()}@example.com",
            language="en",
            role=UserRole.SELLER,
        )
        owner_pk = users_ensure(self.marketplace, [owner])[owner_id]
        data = ShopData(external_id=abuse_external_id(self.seed, key), name=name)
        shop, _created = Shop.objects.get_or_create(
            marketplace=self.marketplace, external_id=data.external_id, defaults={"name": name}
        )
        ShopMembership.objects.get_or_create(shop=shop, user_id=owner_pk, defaults={"role": MembershipRole.OWNER})
        self.owners[key] = Actor.for_user(User.objects.get(pk=owner_pk))
        return data

    def buyer(self, key: str, name: str, language: str = "en") -> BuyerData:
        ext = abuse_external_id(self.seed, key)
        return BuyerData(external_id=ext, name=name, email=f"{ext.lower()}@example.com", language=language)

    @staticmethod
    def address(number: int, street: str) -> DeliveryAddressData:
        return DeliveryAddressData(
            line1=f"{number} {street}", city="Leeds", postcode=f"LS{number % 9 + 1} 4AB", country="GB"
        )

    # -- orders, cases, returns ---------------------------------------------------------

    def order(
        self,
        buyer: BuyerData,
        shop: ShopData,
        *,
        delivered: dt.datetime,
        sku: str,
        title: str,
        address: DeliveryAddressData,
        card: str,
        estimated: dt.datetime | None = None,
        proof: str = "",
    ) -> Order:
        """Place an order four days before ``delivered``, then report it delivered, as the marketplace would."""
        self.orders += 1
        number = abuse_external_id(self.seed, f"{self.orders:04d}")
        placed = (delivered - 4 * DAY).replace(microsecond=0)
        data = OrderData(
            external_id=number,
            buyer=buyer,
            shop=shop,
            currency="GBP",
            total_minor=PRICE,
            placed_at=placed,
            lines=(
                LineData(
                    external_id=f"{number}-L1",
                    title=title,
                    quantity=1,
                    unit_price_minor=PRICE,
                    total_minor=PRICE,
                    sku=sku,
                ),
            ),
            status=OrderStatus.PAID,
            payments=(
                PaymentData(
                    external_id=f"{number}-P1",
                    method="card",
                    amount_minor=PRICE,
                    currency="GBP",
                    status="captured",
                    paid_at=placed + 2 * dt.timedelta(minutes=1),
                ),
            ),
            estimated_delivery_at=estimated or placed + 5 * DAY,
            payment_fingerprint=_fingerprint(self.seed, card),
            delivery_address=address,
        )
        with clock.frozen(placed + 5 * dt.timedelta(minutes=1)):
            order, _created = order_upsert(actor=self.actor, marketplace=self.marketplace, data=data)
        with clock.frozen(delivered + dt.timedelta(minutes=5)):
            delivered_data = dataclasses.replace(data, status=OrderStatus.DELIVERED, delivered_at=delivered)
            order, _created = order_upsert(actor=self.actor, marketplace=self.marketplace, data=delivered_data)
        self.parcel(order, proof)
        return order

    def claim(self, order: Order, case_type: str, *, contact: dt.datetime, opened: dt.datetime, words: str) -> None:
        """The buyer writes to the seller at ``contact`` and opens the case at ``opened``."""
        buyer = Actor.for_user(order.buyer)
        with clock.frozen(contact):
            order_message_post(actor=buyer, order=order, body=words)
        with clock.frozen(opened):
            case_open(actor=buyer, order=order, case_type=case_type, description=words, line=order.lines.get())
        self.cases += 1

    def parcel(self, order: Order, proof: str) -> None:
        """Ship the parcel and feed the carrier's events; the delivery scan carries its proof, if any."""
        if self.carrier is None or order.delivered_at is None:
            return
        start = order.delivered_at - dt.timedelta(hours=ON_TIME_DELIVERY_HOURS)
        with clock.frozen(start):
            shipment = shipment_create(
                actor=self.actor,
                order=order,
                carrier=self.carrier,
                tracking_number=f"PR{self.seed:02d}{order.pk:09d}",
                address=AddressData(order.buyer.display_name, "", "", "Leeds", "", "GB"),
                estimated_to=order.estimated_delivery_at,
            )
        rows = carrier_stream(
            carrier=self.carrier, tracking_number=shipment.tracking_number, path="on_time", start=start
        )
        if proof:
            rows[-1]["proof"] = proof
        with clock.frozen(order.delivered_at + HOUR):
            tracking_events_ingest(actor=self.actor, rows=rows, project_now=True)

    def returned(self, order: Order, *, at: dt.datetime, missing: bool = False) -> Return:
        """The buyer asks to return the item at ``at``; when ``missing``, the parcel comes back without it."""
        buyer = Actor.for_user(order.buyer)
        with clock.frozen(at):
            ret = return_request(
                actor=buyer, order=order, lines={order.lines.get().pk: 1}, reason=ReturnReason.DOESNT_FIT
            )
        self.returns += 1
        if missing:
            seller = self.owners["SHOP"]
            with clock.frozen(at + DAY):
                return_mark_shipped(
                    actor=buyer,
                    ret=ret,
                    carrier=self.carrier.code if self.carrier else "",
                    tracking_number=f"RT{ret.pk:08d}",
                )
            with clock.frozen(at + 3 * DAY):
                return_receive(actor=seller, code=ret.code)
            results = {rl.pk: LineInspection(accepted=0, condition=Condition.MISSING) for rl in ret.lines.all()}
            with clock.frozen(at + 3 * DAY + 2 * HOUR):
                return_inspect(
                    actor=seller, ret=ret, results=results, partial_reason="The parcel came back with a brick in it."
                )
        return ret


def marketplace_abuse_simulate(*, marketplace: Marketplace, seed: int, epoch: dt.datetime) -> AbuseResult:
    """Seed the abusive buyers, the scam seller and the ring of linked accounts (once per marketplace)."""
    if Order.objects.filter(marketplace=marketplace, external_id__startswith=abuse_external_id(seed, "")).exists():
        return AbuseResult(orders=0, cases=0, returns=0, already_there=True)
    e = epoch.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    a = _Abuse(marketplace=marketplace, seed=seed, epoch=e)
    with transaction.atomic():
        last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        shop = a.shop("SHOP", "Northern Home Goods")
        scam = a.shop("SCAM-SHOP", "Lumen Lamps Direct")
        _claimer(a, shop, e)
        _signed(a, shop, e)
        _quick(a, shop, e)
        _late(a, shop, e)
        _swapper(a, shop, e)
        _ring(a, shop, e)
        _scam(a, scam, e)
        past_mail_sent(marketplace, after=last_notification)
    return AbuseResult(orders=a.orders, cases=a.cases, returns=a.returns)


def _own(a: _Abuse, key: str, name: str, n: int) -> tuple[BuyerData, DeliveryAddressData, str]:
    return a.buyer(key, name), a.address(100 + n, "Kirkstall Road"), key


def _claimer(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    buyer, home, card = _own(a, "CLAIMER", "Carl Claimer", 1)
    for i in range(4):
        order = a.order(
            buyer,
            shop,
            delivered=e - (30 - i) * DAY,
            sku=f"NHG-{i + 1:02d}",
            title="Wool throw",
            address=home,
            card=card,
        )
        assert order.delivered_at is not None  # noqa: S101 - just delivered
        a.claim(
            order,
            CaseType.NOT_AS_DESCRIBED,
            contact=order.delivered_at + 2 * DAY,
            opened=order.delivered_at + 4 * DAY + HOUR,
            words="This is not what the listing showed at all.",
        )


def _signed(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    buyer, home, card = _own(a, "SIGNED", "Sasha Signed", 2)
    for i, proof in enumerate(("signature", "photo")):
        delivered = e - (36 - i) * DAY
        order = a.order(
            buyer,
            shop,
            delivered=delivered,
            sku=f"NHG-1{i}",
            title="Table lamp",
            address=home,
            card=card,
            estimated=delivered + DAY,
            proof=proof,
        )
        a.claim(
            order,
            CaseType.ITEM_NOT_RECEIVED,
            contact=delivered + 3 * DAY,
            opened=delivered + 5 * DAY + HOUR,
            words="My parcel never arrived.",
        )


def _quick(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    buyer, home, card = _own(a, "QUICK", "Quinn Quick", 3)
    for i in range(8):
        delivered = e - (24 - 2 * i) * DAY
        order = a.order(
            buyer, shop, delivered=delivered, sku=f"NHG-2{i}", title="Cushion cover", address=home, card=card
        )
        if i < 2:
            # Written while the parcel travels, so the case opens within the hour after it arrives.
            a.claim(
                order,
                CaseType.NOT_AS_DESCRIBED,
                contact=delivered - 47 * HOUR - dt.timedelta(minutes=30),
                opened=delivered + dt.timedelta(minutes=40),
                words="The colour is nothing like the photos.",
            )


def _late(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    buyer, home, card = _own(a, "LATE", "Lee Late", 4)
    window = dt.timedelta(days=policy_current().return_window_days)
    for i in range(3):
        delivered = e - (45 - i) * DAY
        order = a.order(buyer, shop, delivered=delivered, sku=f"NHG-3{i}", title="Linen dress", address=home, card=card)
        a.returned(order, at=delivered + window - DAY + HOUR)


def _swapper(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    buyer, home, card = _own(a, "SWAPPER", "Sam Swapper", 5)
    for i in range(2):
        delivered = e - (25 - i) * DAY
        order = a.order(buyer, shop, delivered=delivered, sku=f"NHG-4{i}", title="Headphones", address=home, card=card)
        a.returned(order, at=delivered + 3 * DAY, missing=True)


def _ring(a: _Abuse, shop: ShopData, e: dt.datetime) -> None:
    # Three accounts at one flat; the first two pay with one card.
    home = a.address(7, "Mill Street")
    for i, card in enumerate(("RING-CARD", "RING-CARD", "RING-3-CARD")):
        buyer = a.buyer(f"RING-{i + 1}", f"Robin Ring {i + 1}")
        for j in range(2):
            a.order(
                buyer,
                shop,
                delivered=e - (20 - 3 * i - j) * DAY,
                sku=f"NHG-5{i}{j}",
                title="Phone case",
                address=home,
                card=card,
            )


def _scam(a: _Abuse, scam: ShopData, e: dt.datetime) -> None:
    seller = a.owners["SCAM-SHOP"]
    for i, reply in enumerate(SCAM_REPLIES):
        buyer, home, card = _own(a, f"VICTIM-{i + 1}", f"Val Victim {i + 1}", 10 + i)
        delivered = e - (22 - 2 * i) * DAY
        order = a.order(
            buyer, scam, delivered=delivered, sku=SCAM_SKU, title="Crystal desk lamp", address=home, card=card
        )
        contact = delivered + 2 * DAY
        a.claim(
            order,
            CaseType.NOT_AS_DESCRIBED,
            contact=contact,
            opened=contact + 2 * DAY + HOUR,
            words="The lamp is plastic, not crystal, and half the size shown.",
        )
        with clock.frozen(contact + 2 * DAY + 3 * HOUR):
            order_message_post(actor=seller, order=order, body=reply)
