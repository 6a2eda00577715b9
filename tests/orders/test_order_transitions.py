"""Every (from, to) pair of the order status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.orders.states import ORDER_TRANSITIONS, OrderStatus
from tests import factories, transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role

MATRIX = TransitionMatrix(ORDER_TRANSITIONS, transition_spec.ORDERS, roles=tuple(Role.values))


@pytest.fixture
def order_in(marketplace):
    return lambda status: factories.OrderFactory(marketplace=marketplace, status=status)


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    assert MATRIX.pairs_covered() == {(s, t) for s in OrderStatus.values for t in OrderStatus.values}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(order_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(order_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(order_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(order_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(order_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(order_in(source), target=target, actor=actor_as(role))


def test_order_status_diagram_lists_every_move():
    assert ORDER_TRANSITIONS.mermaid().splitlines() == [
        "stateDiagram-v2",
        "    placed --> paid: admin, marketplace, system",
        "    placed --> cancelled: admin, marketplace, system",
        "    paid --> shipped: admin, marketplace, system",
        "    paid --> cancelled: admin, marketplace, system",
        "    paid --> partially_refunded: admin, marketplace, system",
        "    paid --> refunded: admin, marketplace, system",
        "    shipped --> delivered: admin, marketplace, system",
        "    shipped --> partially_refunded: admin, marketplace, system",
        "    shipped --> refunded: admin, marketplace, system",
        "    delivered --> partially_refunded: admin, marketplace, system",
        "    delivered --> refunded: admin, marketplace, system",
        "    partially_refunded --> refunded: admin, marketplace, system",
    ]
