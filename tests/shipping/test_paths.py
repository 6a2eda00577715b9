"""Every simulated delivery path driven through the clock: status, flags and hints at each step."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import TimelineEvent
from marketdesk.hints.rules import hints_evaluate, order_state_read
from marketdesk.notifications.models import Notification
from marketdesk.shipping.models import CareAction, Carrier, Shipment, TrackingEvent
from marketdesk.shipping.services import shipment_flags_recompute
from tests.shipping.conftest import HOUR, START, ingest, make_shipment, stream

MAPPINGS = importlib.import_module("marketdesk.shipping.migrations.0002_carriers").MAPPINGS
DAY = dt.timedelta(days=1)


def state_at(shipment: Shipment, at: dt.datetime) -> tuple[str, str, list[str], list[tuple[str, str]]]:
    with clock.frozen(at):
        shipment_flags_recompute(actor=Actor.system(), shipment_ids=[shipment.pk])
        shipment.refresh_from_db()
        hints = [(h.code, h.cause) for h in hints_evaluate(order_state_read(shipment.order))]
    return shipment.tracking_status, shipment.exception_reason, shipment.flags, hints


def test_on_time_parcel_moves_to_delivered_without_flags(parcel):
    rows = stream(parcel, "on_time")

    ingest(parcel, rows[:2], at=START + 7 * HOUR)
    moving = state_at(parcel, START + 8 * HOUR)
    ingest(parcel, rows[2:], at=START + 55 * HOUR)
    arrived = state_at(parcel, START + 56 * HOUR)

    assert moving == ("in_transit", "", [], [("change_address", "")])
    assert arrived == ("delivered", "", [], [("return_window", "")])


def test_late_parcel_is_flagged_delayed_with_its_cause(parcel):
    ingest(parcel, stream(parcel, "late")[:3], at=START + 61 * HOUR)

    status = state_at(parcel, START + 80 * HOUR)

    assert status == ("in_transit", "", ["delayed"], [("change_address", ""), ("late_order", "delayed")])


def test_stalled_parcel_is_flagged_after_five_days_and_care_starts_once(parcel):
    ingest(parcel, stream(parcel, "stalled"), at=START + 21 * HOUR)

    before = state_at(parcel, START + 20 * HOUR + 5 * DAY - HOUR)
    after = state_at(parcel, START + 20 * HOUR + 5 * DAY)
    again = state_at(parcel, START + 20 * HOUR + 5 * DAY + HOUR)

    assert before[2] == ["delayed"]
    assert after[2] == ["delayed", "stalled"]
    assert ("late_order", "stalled") in after[3]
    assert again[2] == after[2]
    assert list(CareAction.objects.filter(shipment=parcel).values_list("trigger", flat=True)) == ["stalled"]
    assert Notification.objects.filter(kind="shipment.care", user=parcel.order.buyer).count() == 1


def test_lost_parcel_turns_likely_lost_after_ten_days_then_lost(parcel):
    rows = stream(parcel, "lost")
    ingest(parcel, rows[:3], at=START + 21 * HOUR)

    likely = state_at(parcel, START + 20 * HOUR + 10 * DAY)
    ingest(parcel, rows[3:], at=START + 20 * HOUR + 14 * DAY)
    lost = state_at(parcel, START + 20 * HOUR + 14 * DAY + HOUR)

    assert likely[:3] == ("in_transit", "", ["delayed", "stalled", "likely_lost"])
    assert likely[3][0] == ("late_order", "likely_lost")
    assert lost[:2] == ("exception", "lost")
    assert sorted(CareAction.objects.filter(shipment=parcel).values_list("trigger", flat=True)) == [
        "likely_lost",
        "lost",
        "stalled",
    ]


def test_customs_hold_says_customs_then_clears(parcel):
    rows = stream(parcel, "customs_hold")
    ingest(parcel, rows[:3], at=START + 31 * HOUR)

    held = state_at(parcel, START + 80 * HOUR)
    ingest(parcel, rows[3:], at=START + 125 * HOUR)
    done = state_at(parcel, START + 126 * HOUR)

    assert held[:3] == ("exception", "customs", ["delayed"])
    assert ("late_order", "customs") in held[3]
    assert done[:3] == ("delivered", "", [])


def test_failed_attempt_goes_to_pickup_then_delivered(parcel):
    rows = stream(parcel, "failed_attempt")
    ingest(parcel, rows[:4], at=START + 55 * HOUR)

    failed = state_at(parcel, START + 55 * HOUR)
    ingest(parcel, rows[4:5], at=START + 61 * HOUR)
    pickup = state_at(parcel, START + 61 * HOUR)
    ingest(parcel, rows[5:], at=START + 81 * HOUR)

    assert failed[:2] == ("failed_attempt", "")
    assert pickup[:2] == ("available_for_pickup", "")
    assert state_at(parcel, START + 82 * HOUR)[:2] == ("delivered", "")


def test_returned_parcel_refused_then_back_with_the_seller(parcel):
    rows = stream(parcel, "returned")
    ingest(parcel, rows[:4], at=START + 55 * HOUR)

    refused = state_at(parcel, START + 55 * HOUR)
    ingest(parcel, rows[4:], at=START + 121 * HOUR)

    assert refused[:2] == ("exception", "refused")
    assert state_at(parcel, START + 122 * HOUR)[:2] == ("returned", "")
    assert list(CareAction.objects.filter(shipment=parcel).values_list("trigger", flat=True)) == ["refused"]


@pytest.mark.parametrize("path", ["on_time", "lost", "customs_hold", "returned"])
def test_out_of_order_and_duplicate_delivery_end_in_the_same_state(order, evri, path, marketplace):
    fields = ["tracking_status", "exception_reason", "last_event_at", "last_scan_at", "handed_over_at", "delivered_at"]
    in_order = make_shipment(order, evri, "EV-IN")
    shuffled = make_shipment(order, evri, "EV-OUT")
    at = START + 30 * DAY
    rows = stream(in_order, path)
    ingest(in_order, rows, at=at)

    reversed_rows = [dict(r, tracking_number="EV-OUT", event_id=f"out-{r['event_id']}") for r in reversed(rows)]
    first = ingest(shuffled, reversed_rows[::2], at=at)
    second = ingest(shuffled, reversed_rows + reversed_rows, at=at)

    in_order.refresh_from_db()
    shuffled.refresh_from_db()
    assert [getattr(shuffled, f) for f in fields] == [getattr(in_order, f) for f in fields]
    assert (first.stored + second.stored, second.duplicates) == (len(rows), len(rows) + len(rows[::2]))


@pytest.mark.parametrize(("code", "raw", "status", "reason"), MAPPINGS, ids=[f"{m[0]}:{m[1]}" for m in MAPPINGS])
def test_every_mapping_row_normalizes_its_raw_status(order, evri, code, raw, status, reason):
    shipment = make_shipment(order, Carrier.objects.get(code=code), "T-1")
    row = {"carrier": code, "tracking_number": "T-1", "event_id": "e1", "status": raw, "occurred_at": START.isoformat()}

    ingest(shipment, [row], at=START + HOUR)

    shipment.refresh_from_db()
    event = TrackingEvent.objects.get(shipment=shipment)
    assert (event.status, event.exception_reason, event.raw) == (status, reason, row)
    assert (shipment.tracking_status, shipment.exception_reason) == (status, reason)


def test_status_changes_are_recorded_on_the_timeline(parcel):
    ingest(parcel, stream(parcel, "on_time")[:2], at=START + 7 * HOUR)

    types = list(
        TimelineEvent.objects.filter(subject_id=parcel.pk, event_type__startswith="shipment.").values_list(
            "event_type", flat=True
        )
    )

    assert types == ["shipment.created", "shipment.status_changed"]
