"""The transition mechanism itself: the table as data, the save guard, stale objects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict, TransitionNotAllowed
from marketdesk.core.timeline import status_events
from marketdesk.core.transitions import Move, TransitionTable, transition
from marketdesk.orders.models import Order
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus
from tests import factories
from tests.core.transition_matrix import status_in_db, timeline_of


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"


status_events("light", ("greened", "reddened", "greened_by_hand", "changed"))


def test_table_mermaid_lists_every_move_with_its_roles():
    table = TransitionTable(
        states=Light,
        moves=(
            Move(Light.RED, Light.GREEN, [Role.SYSTEM, Role.ADMIN], "light.greened"),
            Move(Light.GREEN, Light.RED, [Role.SYSTEM], "light.reddened"),
        ),
    )

    assert table.mermaid() == "stateDiagram-v2\n    red --> green: admin, system\n    green --> red: system\n"


def test_table_refuses_a_move_that_writes_an_undeclared_event():
    with pytest.raises(ValueError, match=r"undeclared event light\.blinked"):
        TransitionTable(states=Light, moves=(Move(Light.RED, Light.GREEN, [Role.SYSTEM], "light.blinked"),))


def test_table_refuses_a_duplicate_move():
    with pytest.raises(ValueError, match="duplicate move red -> green"):
        TransitionTable(
            states=Light,
            moves=(
                Move(Light.RED, Light.GREEN, [Role.SYSTEM], "light.greened"),
                Move(Light.RED, Light.GREEN, [Role.ADMIN], "light.greened_by_hand"),
            ),
        )


@pytest.mark.parametrize(("source", "target"), [("red", "blue"), ("blue", "red")])
def test_table_refuses_an_unknown_state(source, target):
    with pytest.raises(ValueError, match="unknown state"):
        TransitionTable(states=Light, moves=(Move(source, target, [Role.SYSTEM], "light.changed"),))


@pytest.mark.parametrize(
    ("source", "role", "targets"),
    [
        (OrderStatus.PLACED, None, ["paid", "cancelled"]),
        (OrderStatus.PAID, Role.MARKETPLACE, ["shipped", "cancelled", "partially_refunded", "refunded"]),
        (OrderStatus.PAID, Role.BUYER, []),
        (OrderStatus.REFUNDED, None, []),
    ],
)
def test_table_targets_lists_the_states_one_move_away(source, role, targets):
    assert ORDER_TRANSITIONS.targets(source, role) == targets


@pytest.mark.django_db
def test_assigning_the_status_and_saving_is_refused():
    order = factories.OrderFactory(status=OrderStatus.PAID)
    order.status = OrderStatus.SHIPPED

    with pytest.raises(TransitionNotAllowed):
        order.save()

    assert status_in_db(order) == OrderStatus.PAID
    assert timeline_of(order).count() == 0


@pytest.mark.django_db
def test_saving_other_fields_of_a_loaded_object_is_allowed():
    order = Order.objects.get(pk=factories.OrderFactory(status=OrderStatus.PAID).pk)
    order.estimated_delivery_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    order.save()

    assert Order.objects.get(pk=order.pk).estimated_delivery_at == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_refreshed_object_saves_after_someone_else_moved_it():
    order = factories.OrderFactory(status=OrderStatus.PAID)
    transition(Order.objects.get(pk=order.pk), to=OrderStatus.SHIPPED, actor=Actor.system())
    order.refresh_from_db()
    order.estimated_delivery_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    order.save()

    assert (status_in_db(order), order.status) == (OrderStatus.SHIPPED, OrderStatus.SHIPPED)


@pytest.mark.django_db
def test_stale_object_is_a_conflict_and_changes_nothing():
    order = factories.OrderFactory(status=OrderStatus.PAID)
    transition(Order.objects.get(pk=order.pk), to=OrderStatus.SHIPPED, actor=Actor.system())

    with pytest.raises(Conflict, match="Someone else changed this") as refused:
        transition(order, to=OrderStatus.CANCELLED, actor=Actor.system())

    assert refused.type is Conflict
    assert status_in_db(order) == OrderStatus.SHIPPED
    assert list(timeline_of(order).values_list("event_type", flat=True)) == ["order.shipped"]


@pytest.mark.django_db
def test_deleted_object_is_a_conflict():
    order = factories.OrderFactory(status=OrderStatus.PAID)
    Order.objects.filter(pk=order.pk).delete()

    with pytest.raises(Conflict, match="no longer exists") as refused:
        transition(order, to=OrderStatus.SHIPPED, actor=Actor.system())

    assert refused.type is Conflict


@pytest.mark.django_db
def test_transition_stamps_updated_at_and_keeps_extra_payload(frozen_clock):
    order = factories.OrderFactory(status=OrderStatus.PAID)
    frozen_clock.advance(dt.timedelta(minutes=5))

    transition(order, to=OrderStatus.CANCELLED, actor=Actor.system(), payload={"reason": "fraud"})

    assert Order.objects.get(pk=order.pk).updated_at == clock.now()
    assert [(e.event_type, e.payload, e.occurred_at) for e in timeline_of(order)] == [
        ("order.cancelled", {"source": "paid", "target": "cancelled", "extra": {"reason": "fraud"}}, clock.now())
    ]
