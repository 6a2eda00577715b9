"""Realistic carrier event streams for every delivery path, for tests, benchmarks and the demo.

A path is a list of steps (hours after handover, our status, exception reason); the carrier's
raw status for each step is read back from that carrier's mapping table, so the streams speak
each carrier's own codes and a new carrier needs no code here.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Marketplace, Order
from marketdesk.shipping.models import Carrier, CarrierStatusMapping
from marketdesk.simulator.mail import past_mail_sent

Step = tuple[float, str, str]

PATHS: dict[str, tuple[Step, ...]] = {
    "on_time": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (30, "in_transit", ""),
        (50, "out_for_delivery", ""),
        (54, "delivered", ""),
    ),
    "late": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (60, "in_transit", ""),
        (110, "in_transit", ""),
        (140, "out_for_delivery", ""),
        (146, "delivered", ""),
    ),
    "stalled": ((0, "info_received", ""), (6, "in_transit", ""), (20, "in_transit", "")),
    # Scanned soon after the order and never again: the longest-waiting parcel of the demo (never drawn at random).
    "silent": ((0, "info_received", ""), (2, "in_transit", "")),
    "lost": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (20, "in_transit", ""),
        (20 + 24 * 14, "exception", "lost"),
    ),
    "customs_hold": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (30, "exception", "customs"),
        (100, "in_transit", ""),
        (120, "out_for_delivery", ""),
        (124, "delivered", ""),
    ),
    "failed_attempt": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (50, "out_for_delivery", ""),
        (54, "failed_attempt", ""),
        (60, "available_for_pickup", ""),
        (80, "delivered", ""),
    ),
    "returned": (
        (0, "info_received", ""),
        (6, "in_transit", ""),
        (50, "out_for_delivery", ""),
        (54, "exception", "refused"),
        (60, "returning_to_sender", ""),
        (120, "returned", ""),
    ),
}

#: Hours after handover the marketplace promises delivery by, for every path.
ESTIMATE_HOURS = 72
PLACES = ("London hub", "Birmingham depot", "Manchester sorting", "Local delivery office", "Leeds hub", "Customs")
#: Hours from handover to the delivery scan on the on-time path: a delivered order's parcel is
#: handed over this long before the order's own delivery time, so both tell the same story.
ON_TIME_DELIVERY_HOURS = PATHS["on_time"][-1][0]
RANDOM_PATHS = tuple(name for name in PATHS if name != "silent")


def raw_codes(carrier: Carrier) -> dict[tuple[str, str], str]:
    """Return, per (status, exception reason), the first raw status of the carrier that means it."""
    codes: dict[tuple[str, str], str] = {}
    for row in CarrierStatusMapping.objects.filter(carrier=carrier).order_by("raw_status"):
        codes.setdefault((row.status, row.exception_reason), row.raw_status)
    return codes


def carrier_stream(
    *,
    carrier: Carrier,
    tracking_number: str,
    path: str,
    start: dt.datetime,
    codes: dict[tuple[str, str], str] | None = None,
    id_prefix: str = "",
) -> list[dict[str, Any]]:
    """Return the carrier's events of one parcel along ``path``, as the ingest API receives them."""
    codes = codes if codes is not None else raw_codes(carrier)
    events = []
    for i, (hours, status, reason) in enumerate(PATHS[path]):
        events.append(
            {
                "carrier": carrier.code,
                "tracking_number": tracking_number,
                "event_id": f"{id_prefix or tracking_number}-{i}",
                "status": codes[(status, reason)],
                "occurred_at": (start + dt.timedelta(hours=hours)).isoformat(),
                "description": f"{status.replace('_', ' ').capitalize()}{f' ({reason})' if reason else ''}",
                "location": PLACES[i % len(PLACES)],
            }
        )
    return events


#: Raw statuses no carrier's table maps: the demo's administrator finds them waiting on the carriers page.
UNMAPPED = (
    ("HUB_WEATHER_DELAY", "Delayed at hub due to weather"),
    ("SORT_RESCAN", "Parcel rescanned at sorting centre"),
)


def _unmapped_event(carrier: Carrier, tracking_number: str, start: dt.datetime, index: int) -> dict[str, Any]:
    """One event with a status no mapping covers, mid-way along a parcel that was delivered on time."""
    status, text = UNMAPPED[index % len(UNMAPPED)]
    return {
        "carrier": carrier.code,
        "tracking_number": tracking_number,
        "event_id": f"{tracking_number}-unmapped",
        "status": status,
        "occurred_at": (start + dt.timedelta(hours=31)).isoformat(),
        "description": text,
        "location": PLACES[1],
    }


def marketplace_shipments_simulate(*, marketplace: Marketplace, seed: int, limit: int = 300) -> int:
    """Ship the most recent shipped and delivered orders along every path and feed their events; return parcels."""
    from marketdesk.notifications.models import Notification
    from marketdesk.shipping.ingest import tracking_events_ingest
    from marketdesk.shipping.services import AddressData, shipment_create

    rng = random.Random(seed)
    actor = Actor.marketplace(marketplace_id=marketplace.pk)
    carriers = list(Carrier.objects.order_by("code"))
    if not carriers:
        return 0
    codes = {c.pk: raw_codes(c) for c in carriers}
    now = clock.now()
    orders = (
        Order.objects.filter(marketplace=marketplace, status__in=("shipped", "delivered"), shipments__isnull=True)
        .order_by("-placed_at")
        .select_related("buyer")
        .prefetch_related("lines")[:limit]
    )
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The longest-waiting shipped order's parcel goes silent after its first scans, so the demo always
    # shows a parcel past the policy's "likely lost" for an operator to open an inquiry on.
    longest_waiting = (
        Order.objects.filter(marketplace=marketplace, status="shipped", shipments__isnull=True)
        .order_by("placed_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    made = 0
    rows: list[dict[str, Any]] = []
    for order in orders:
        carrier = rng.choice(carriers)
        path = "on_time" if order.status == "delivered" else rng.choice(sorted(RANDOM_PATHS))
        number = f"{carrier.code[:2].upper()}{seed:02d}{order.pk:09d}"
        if order.status == "delivered" and order.delivered_at is not None:
            start = order.delivered_at - dt.timedelta(hours=ON_TIME_DELIVERY_HOURS)
        elif order.pk == longest_waiting:
            path, start = "silent", order.placed_at + dt.timedelta(hours=1)
        else:
            start = max(order.placed_at + dt.timedelta(hours=20), now - dt.timedelta(days=20))
        shipment = shipment_create(
            actor=actor,
            order=order,
            carrier=carrier,
            tracking_number=number,
            service="Tracked 48",
            address=AddressData(order.buyer.name, "1 High Street", "", "London", "N1 1AA", "GB"),
            estimated_to=start + dt.timedelta(hours=ESTIMATE_HOURS),
        )
        made += 1
        if order.status == "delivered" and made % 5 == 1:
            rows.append(_unmapped_event(carrier, shipment.tracking_number, start, made))
        rows.extend(
            e
            for e in carrier_stream(
                carrier=carrier,
                tracking_number=shipment.tracking_number,
                path=path,
                start=start,
                codes=codes[carrier.pk],
            )
            if dt.datetime.fromisoformat(e["occurred_at"]) <= now
        )
        if len(rows) >= 500:
            tracking_events_ingest(actor=actor, rows=rows, project_now=True)
            rows = []
    if rows:
        tracking_events_ingest(actor=actor, rows=rows, project_now=True)
    # Care about the simulated past stays in the bell; its e-mail is not sent now.
    past_mail_sent(marketplace, after=last_notification)
    return made
