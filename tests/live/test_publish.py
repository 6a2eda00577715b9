"""live_publish: stored and announced only after the commit, never for a rolled-back change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from marketdesk.core.periodic import registered_periodic
from marketdesk.live import hub
from marketdesk.live.models import LiveEvent
from marketdesk.live.services import live_events_prune, live_publish
from tests.live.conftest import fails_after_publishing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record every ring of the web processes' doorbell."""
    rung: list[int] = []
    monkeypatch.setattr(hub, "ring", rung.append)
    return rung


def test_nothing_is_stored_or_rung_before_the_commit(buyer, seller, rings) -> None:
    with transaction.atomic():
        live_publish(user_ids=[buyer.pk, seller.pk], event="message.posted", data={"order_id": 7, "thread_id": 3})
        stored_inside, rung_inside = LiveEvent.objects.count(), list(rings)

    assert (stored_inside, rung_inside) == (0, [])
    rows = list(LiveEvent.objects.order_by("user_id").values_list("user_id", "event", "data"))
    assert rows == [
        (buyer.pk, "message.posted", {"order_id": 7, "thread_id": 3}),
        (seller.pk, "message.posted", {"order_id": 7, "thread_id": 3}),
    ]
    assert rings == [LiveEvent.objects.order_by("-id").values_list("id", flat=True)[0]]


def test_a_rolled_back_change_publishes_nothing(buyer, rings) -> None:
    with pytest.raises(RuntimeError):
        fails_after_publishing(buyer.pk, 1)

    assert (LiveEvent.objects.count(), rings) == (0, [])


def test_a_rolled_back_savepoint_drops_only_its_own_event(buyer, rings) -> None:
    with transaction.atomic():
        live_publish(user_ids=[buyer.pk], event="message.posted", data={"n": 1})
        with pytest.raises(RuntimeError):
            fails_after_publishing(buyer.pk, 2)

    assert list(LiveEvent.objects.values_list("data", flat=True)) == [{"n": 1}]


def test_a_recipient_named_twice_gets_one_event(buyer, rings) -> None:
    with transaction.atomic():
        live_publish(user_ids=[buyer.pk, buyer.pk], event="message.read", data={"thread_id": 3})

    assert LiveEvent.objects.filter(user=buyer).count() == 1


def test_no_recipients_publish_nothing(rings) -> None:
    with transaction.atomic():
        live_publish(user_ids=[], event="message.read", data={"thread_id": 3})

    assert (LiveEvent.objects.count(), rings) == (0, [])


def test_ids_grow_with_every_event(buyer, seller, rings) -> None:
    for n in range(3):
        with transaction.atomic():
            live_publish(user_ids=[buyer.pk, seller.pk], event="message.posted", data={"n": n})

    ids = list(LiveEvent.objects.order_by("data__n", "user_id").values_list("id", flat=True))
    assert ids == sorted(ids)
    assert rings == sorted(rings)


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("message.posted", {"body": "Here is my home address: 1 Long Street, Springfield, 12345, call me on +1 555"}),
        ("message.posted", {"message": {"id": 1}}),
        ("message.posted", {"ids": [1, 2]}),
        ("message.posted", {"amount": 1.5}),
        ("message.posted", {f"f{i}": i for i in range(13)}),
        ("Message Posted", {}),
        ("posted", {}),
        ("live.reset", {}),
    ],
)
def test_events_that_could_carry_private_text_are_refused(buyer, event, data) -> None:
    with pytest.raises(ValueError, match="live event"), transaction.atomic():
        live_publish(user_ids=[buyer.pk], event=event, data=data)


def test_prune_deletes_events_past_the_retention_only(buyer, frozen_clock, rings) -> None:
    for n in range(3):
        with transaction.atomic():
            live_publish(user_ids=[buyer.pk], event="message.posted", data={"n": n})
        frozen_clock.advance(dt.timedelta(hours=3))

    deleted = live_events_prune()

    assert deleted == 1
    assert sorted(LiveEvent.objects.values_list("data__n", flat=True)) == [1, 2]


def test_pruning_runs_on_a_schedule() -> None:
    job = registered_periodic()["marketdesk.live.tasks.prune_live_events"]

    assert job.every == dt.timedelta(minutes=10)
