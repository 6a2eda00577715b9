"""The set-based ingest: a batch through the endpoint, projected by the worker after commit, ends exactly as the
parcel-by-parcel projection would.

The reference is the projection as it was written before batches: each parcel locked, folded,
saved, its status event, its flags saved and their event, one after another. It runs the same
feed for a twin set of parcels; only the projection step differs between the two runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from marketdesk.core import clock, outbox
from marketdesk.core.models import OutboxMessage, TimelineEvent
from marketdesk.core.policies import policy_current
from marketdesk.core.tasks import drain_outbox_topic
from marketdesk.notifications.models import Notification
from marketdesk.shipping.models import CareAction, Carrier, Shipment
from marketdesk.shipping.services import flags, projection
from marketdesk.shipping.services.care import CARE_TOPIC
from marketdesk.shipping.services.projection import PROJECTION_TOPIC
from tests.shipping.conftest import HOUR, START, care_delivered, make_shipment, projected, worker_ran
from tests.shipping.test_api import key_client, post

#: The compared columns: the projection, the flags and when they last moved.
COLUMNS = [*projection.PROJECTION_FIELDS, *flags.FLAG_NAMES, "flags_at"]


def one_by_one(*, actor, events_by_shipment, policy=None):
    """The projection parcel by parcel, as it ran before set-based writes (the reference), each parcel read by the ORM."""
    policy = policy or policy_current()
    now = clock.now()
    for shipment in Shipment.objects.select_for_update().filter(pk__in=events_by_shipment).order_by("pk"):
        moved = projection._absorb(shipment, events_by_shipment[shipment.pk])
        shipment.updated_at = now
        shipment.save(update_fields=projection.PROJECTION_FIELDS)
        if moved is not None:
            projection._status_recorded(shipment, actor=actor, source=moved[0], event_at=moved[1])
        flags._flags_write(shipment, actor=actor, now=now, policy=policy)


def event(number: str, n: int, status: str, hours: float) -> dict[str, Any]:
    return {
        "carrier": "evri",
        "tracking_number": number,
        "event_id": f"{number}-{n}",
        "status": status,
        "occurred_at": (START + dt.timedelta(hours=hours)).isoformat(),
    }


def tricky_feed(prefix: str) -> list[tuple[dt.datetime, list[dict[str, Any]]]]:
    """Four parcels interleaved: late and repeated events, an unknown status, a damaged parcel, a silent one.

    Returns the batches with the moment each is sent.
    """
    on_time, late, damaged, silent = (f"{prefix}{i}" for i in range(4))
    return [
        (
            START + 8 * HOUR,
            [
                event(on_time, 0, "10", 0),
                event(late, 0, "10", 0),
                event(silent, 0, "20", 1),
                event(on_time, 1, "20", 6),
                event(damaged, 0, "20", 2),
                event(on_time, 1, "20", 6),  # repeated in the batch
                event(late, 1, "99", 7),  # a status the carrier's table does not know
            ],
        ),
        (
            START + 60 * HOUR,
            [
                event(late, 3, "40", 54),  # delivered arrives before the scans that came before it
                event(on_time, 2, "30", 50),
                event(damaged, 1, "53", 30),  # damaged: care starts
                event(on_time, 1, "20", 6),  # repeated from an earlier batch
                event(silent, 1, "25", 20),
                event(f"{prefix}-nobody", 0, "20", 3),  # no shipment yet: held
            ],
        ),
        (
            START + 70 * HOUR,
            [
                event(late, 2, "30", 50),
                event(on_time, 3, "40", 54),
                event(late, 1, "20", 6),  # dup of an event id with another status: a duplicate all the same
                event(damaged, 2, "20", 40),  # a scan after the damage: the parcel moves on
            ],
        ),
        # Days later the silent parcel's old event is sent again and one more old scan: stalled, then likely lost.
        (START + 9 * 24 * HOUR, [event(silent, 1, "25", 20), event(silent, 2, "25", 30)]),
        (START + 12 * 24 * HOUR, [event(silent, 3, "25", 31), event(late, 4, "40", 55)]),
    ]


def parcels(order_factory, evri, prefix: str) -> list[Shipment]:
    return [make_shipment(order_factory(), evri, f"{prefix}{i}") for i in range(4)]


def outcome(shipment: Shipment) -> dict[str, Any]:
    """What a parcel ended with: its projection, its timeline, its care and who was told."""
    shipment.refresh_from_db()
    timeline = TimelineEvent.objects.filter(subject_id=shipment.pk, event_type__startswith="shipment.").order_by(
        "occurred_at", "id"
    )
    projection = {name: getattr(shipment, name) for name in COLUMNS}
    projection["last_event_ref"] = projection["last_event_ref"].removeprefix(shipment.tracking_number)  # twins' ids
    return {
        "projection": projection,
        "timeline": [(e.event_type, e.audience, e.actor_role, _without_ids(e.payload)) for e in timeline],
        "care": sorted(CareAction.objects.filter(shipment=shipment).values_list("trigger", flat=True)),
        "told": Notification.objects.filter(kind="shipment.care", data__order=shipment.order.external_id).count(),
    }


def _without_ids(payload: dict[str, Any]) -> dict[str, Any]:
    # A care row's id and a shipment's own ids differ between the twins; everything else must not.
    return {k: v for k, v in payload.items() if k not in ("care_id", "external_id", "tracking_number", "lines")}


def post_and_work(client, rows, *, at: dt.datetime) -> dict[str, Any]:
    """Send a batch, then let the worker project it and start the care that left (at the same moment)."""
    answer = post(client, rows, at=at).json()
    with clock.frozen(at):
        worker_ran()
    return answer


@pytest.fixture
def order_factory(marketplace, shop, buyer):
    from tests import factories

    def make():
        return factories.OrderFactory(
            marketplace=marketplace,
            shop=shop,
            buyer=buyer,
            placed_at=START - 20 * HOUR,
            estimated_delivery_at=START + 72 * HOUR,
        )

    return make


def test_a_tricky_feed_ends_as_the_parcel_by_parcel_projection(marketplace, evri, order_factory, monkeypatch):
    # Given twin parcels, and the same interleaved feed for each twin
    batch_twins, reference_twins = parcels(order_factory, evri, "EVA"), parcels(order_factory, evri, "EVB")
    client = key_client(marketplace)

    # When one twin's feed goes through the endpoint and the worker as it is, and the other's through the reference
    # projection in the worker
    batch_answers = [post_and_work(client, rows, at=at) for at, rows in tricky_feed("EVA")]
    monkeypatch.setattr(projection, "shipments_apply_events", one_by_one)
    reference_answers = [post_and_work(client, rows, at=at) for at, rows in tricky_feed("EVB")]

    # Then the answers, the projections, the timelines, the care and the notifications are the same
    assert batch_answers == reference_answers
    assert [outcome(s) for s in batch_twins] == [outcome(s) for s in reference_twins]
    # and the feed did reach every case it was built for (so the comparison is not vacuous)
    final = [outcome(s) for s in batch_twins]
    assert [o["projection"]["tracking_status"] for o in final] == ["delivered", "delivered", "in_transit", "in_transit"]
    assert final[2]["care"] == ["damaged"]
    assert final[3]["care"] == ["likely_lost", "stalled"]
    assert final[3]["projection"]["likely_lost"] is True
    assert [a["duplicates"] for a in batch_answers] == [1, 1, 1, 1, 0]
    assert (batch_answers[0]["unmapped"], batch_answers[1]["held"]) == (1, 1)


def _batch(numbers: list[str], per_parcel: int, n0: int) -> list[dict[str, Any]]:
    return [event(number, n0 + n, "20" if n else "10", n0 + n) for n in range(per_parcel) for number in numbers]


def _projection_queries(at: dt.datetime) -> int:
    """Let the worker project what is waiting (at ``at``); return the queries it took, one outbox row at a time."""
    with CaptureQueriesContext(connection) as worker, clock.frozen(at):
        ran = projected()
    assert ran == 1
    return len(worker.captured_queries)


def test_a_batch_costs_the_same_queries_whatever_it_holds(marketplace, evri, order_factory):
    # Given 3 parcels for a small batch and 60 for a large one, none of them in trouble
    small = [s.tracking_number for s in [make_shipment(order_factory(), evri, f"EVS{i}") for i in range(3)]]
    large = [s.tracking_number for s in [make_shipment(order_factory(), evri, f"EVL{i}") for i in range(60)]]
    client = key_client(marketplace)
    post(client, [], at=START + 12 * HOUR)  # the key's first use and the URL patterns, outside the counts

    # When a batch of 3 events and one of 600, interleaved over their parcels, are sent, each then projected
    with CaptureQueriesContext(connection) as few:
        small_answer = post(client, _batch(small, 1, 0), at=START + 12 * HOUR).json()
    few_projected = _projection_queries(START + 12 * HOUR)
    with CaptureQueriesContext(connection) as many:
        large_answer = post(client, _batch(large, 10, 0), at=START + 12 * HOUR).json()
    many_projected = _projection_queries(START + 12 * HOUR)

    # Then both are stored and projected with the same number of queries
    assert (small_answer["stored"], large_answer["stored"]) == (3, 600)
    assert Shipment.objects.filter(tracking_number__in=large, tracking_status="in_transit").count() == 60
    assert len(many.captured_queries) == len(few.captured_queries)
    assert many_projected == few_projected


def _parcels_in_bulk(order, carrier, prefix: str, count: int) -> list[str]:
    """``count`` parcels of one order on ``carrier``, stored at once (a thousand through the service is slow)."""
    Shipment.objects.bulk_create(
        Shipment(
            marketplace_id=order.marketplace_id,
            order=order,
            external_id=f"{prefix}{i}",
            carrier=carrier,
            tracking_number=f"{prefix}{i}",
        )
        for i in range(count)
    )
    return [f"{prefix}{i}" for i in range(count)]


#: Each carrier's raw statuses of the first two steps: information received, then in transit.
STEPS = {"evri": ("10", "20"), "royal-mail": ("PRE_ADVICE", "ACCEPTED")}


def _steps(carrier: str, numbers: list[str], step: int) -> list[dict[str, Any]]:
    return [{**event(number, step, STEPS[carrier][step], step), "carrier": carrier} for number in numbers]


def test_a_thousand_event_request_costs_the_queries_of_three_whatever_the_table_holds(marketplace, evri, order_factory):
    # Given 3 parcels for a small batch, and 1,000 for full batches over two carriers
    small = [s.tracking_number for s in [make_shipment(order_factory(), evri, f"EVQ{i}") for i in range(3)]]
    order = order_factory()
    royal_mail = Carrier.objects.get(code="royal-mail")
    on_evri = _parcels_in_bulk(order, evri, "EVK", 600)
    on_royal_mail = _parcels_in_bulk(order, royal_mail, "RMK", 400)
    client = key_client(marketplace)
    post(client, [], at=START + 12 * HOUR)  # the key's first use and the URL patterns, outside the counts

    # When a batch of 3 events is sent, then 1,000 events each moving another parcel of either carrier, then
    # 1,000 more moving them again (the table now holds their events and projections), each with a repeat
    with CaptureQueriesContext(connection) as few:
        small_answer = post(client, _batch(small, 1, 0), at=START + 12 * HOUR).json()
    few_projected = _projection_queries(START + 12 * HOUR)
    batches = [
        [
            *_steps("evri", on_evri, step),
            *_steps("royal-mail", on_royal_mail[:-1], step),
            _steps("evri", on_evri, step)[0],
        ]
        for step in (0, 1)
    ]
    moved = list(
        Shipment.objects.filter(order=order).exclude(tracking_number=on_royal_mail[-1]).values_list("pk", flat=True)
    )
    counts, answers, projections, untouched = [], [], [], []
    for rows in batches:
        with CaptureQueriesContext(connection) as many:
            answers.append(post(client, rows, at=START + 12 * HOUR).json())
        counts.append(len(many.captured_queries))
        untouched.append(Shipment.objects.filter(order=order, tracking_status="pending").count())
        projections.append(_projection_queries(START + 12 * HOUR))

    # Then every full batch is stored with the small batch's queries, and projected and recorded by the worker
    # after commit with the same queries whatever it holds
    assert small_answer["stored"] == 3
    assert [(a["received"], a["stored"], a["duplicates"], a["errors"]) for a in answers] == [(1000, 999, 1, [])] * 2
    assert untouched == [1000, 1]  # the request stored the events; the parcels moved only once the worker ran
    assert Shipment.objects.filter(order=order, tracking_status="in_transit").count() == 999
    assert TimelineEvent.objects.filter(event_type="shipment.status_changed", subject_id__in=moved).count() == 2 * 999
    assert counts == [len(few.captured_queries)] * 2
    assert projections == [few_projected] * 2
    # the key, the carriers with their mappings, the savepoint, the parcels by number, the events, the projection's
    # outbox row, the release: a new query per batch fails here
    assert len(few.captured_queries) == 7


def _damaged(numbers: list[str]) -> list[dict[str, Any]]:
    return [event(number, 0, "53", 2) for number in numbers]


def test_care_starts_after_commit_from_one_outbox_row_whatever_the_batch_damages(
    marketplace, evri, order_factory, buyer, seller
):
    # Given 1 parcel for a small batch and 20 for a large one
    one = [s.tracking_number for s in [make_shipment(order_factory(), evri, f"EVD{i}") for i in range(1)]]
    twenty = [s.tracking_number for s in [make_shipment(order_factory(), evri, f"EVM{i}") for i in range(20)]]
    client = key_client(marketplace)
    post(client, [], at=START + 12 * HOUR)  # the key's first use and the URL patterns, outside the counts

    # When a batch damages 1 parcel and another damages 20, each projected by the worker
    post(client, _damaged(one), at=START + 12 * HOUR)
    few = _projection_queries(START + 12 * HOUR)
    post(client, _damaged(twenty), at=START + 12 * HOUR)
    many = _projection_queries(START + 12 * HOUR)
    before = (CareAction.objects.count(), Notification.objects.filter(kind="shipment.care").count())
    with clock.frozen(START + 12 * HOUR):
        ran = care_delivered()
        again = care_delivered()

    # Then each batch's projection left one care row in the outbox and told nobody in its own transaction, with the
    # same queries
    assert many == few
    assert before == (0, 0)
    parcel_ids = [
        Shipment.objects.filter(tracking_number__in=numbers).order_by("pk").values_list("pk", flat=True)
        for numbers in (one, twenty)
    ]
    assert list(
        OutboxMessage.objects.filter(topic=CARE_TOPIC).order_by("pk").values_list("payload__items", flat=True)
    ) == [[[pk, "damaged"] for pk in ids] for ids in parcel_ids]
    # and the worker started care once per parcel, each with its evidence, its event and the buyer and seller told
    assert (ran, again) == (2, 0)
    assert sorted(CareAction.objects.values_list("shipment__tracking_number", "trigger")) == sorted(
        (number, "damaged") for number in one + twenty
    )
    assert all(len(care.evidence["tracking"]) == 1 for care in CareAction.objects.all())
    assert TimelineEvent.objects.filter(event_type="shipment.care_started").count() == 21
    told = Notification.objects.filter(kind="shipment.care")
    assert sorted(told.values_list("user_id", flat=True)) == sorted([buyer.pk] * 21 + [seller.pk] * 21)


def test_the_request_asks_the_ingest_queue_for_a_drain_and_the_drain_projects_the_batch(
    marketplace, evri, order_factory, django_capture_on_commit_callbacks, monkeypatch
):
    # Given two parcels, and no drain of the projection asked for yet in this process
    monkeypatch.setattr(outbox, "_drain_asked_until", {})
    numbers = [make_shipment(order_factory(), evri, f"EVW{i}").tracking_number for i in range(2)]
    client = key_client(marketplace)

    # When a batch moving both is sent and committed
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, _batch(numbers, 2, 0), at=START + 12 * HOUR).json()
    asked = list(
        DBTaskResult.objects.filter(task_path="marketdesk.core.tasks.drain_outbox_topic").values_list(
            "queue_name", "args_kwargs"
        )
    )
    before = sorted(Shipment.objects.filter(tracking_number__in=numbers).values_list("tracking_status", flat=True))
    # and the worker runs the drain it was asked for
    with clock.frozen(START + 12 * HOUR):
        ran = drain_outbox_topic.call(PROJECTION_TOPIC)

    # Then the request stored the events and asked the ingest queue for one drain of the projection, which moved both
    assert answer["stored"] == 4
    assert asked == [("ingest", {"args": [PROJECTION_TOPIC], "kwargs": {}})]
    assert before == ["pending", "pending"]
    assert ran == 1
    assert sorted(Shipment.objects.filter(tracking_number__in=numbers).values_list("tracking_status", flat=True)) == [
        "in_transit",
        "in_transit",
    ]
