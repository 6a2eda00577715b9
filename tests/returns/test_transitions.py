"""Every (from, to) pair of the return status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.returns.models import Return, ReturnReason, ShippingPayer
from marketdesk.returns.states import RETURN_TRANSITIONS, ReturnStatus
from tests import factories, transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role
from tests.returns.conftest import NOW

MATRIX = TransitionMatrix(RETURN_TRANSITIONS, transition_spec.RETURNS, roles=tuple(Role.values))


@pytest.fixture
def return_in(marketplace):
    def make(status: str) -> Return:
        order = factories.OrderFactory(marketplace=marketplace)
        return Return.objects.create(
            order=order,
            buyer=order.buyer,
            shop=order.shop,
            code=f"RA-{order.pk:08d}",
            reason=ReturnReason.CHANGED_MIND,
            resolution="refund",
            status=status,
            shipping_paid_by=ShippingPayer.BUYER,
            policy_version=0,
            window_closes_at=NOW,
        )

    return make


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    assert MATRIX.pairs_covered() == {(s, t) for s in ReturnStatus.values for t in ReturnStatus.values}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(return_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(return_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(return_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(return_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(return_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(return_in(source), target=target, actor=actor_as(role))


def test_terminal_statuses_have_no_way_out():
    assert [s for s in ReturnStatus.values if not RETURN_TRANSITIONS.targets(s)] == [
        "refunded",
        "replacement_shipped",
        "closed",
        "lapsed",
        "cancelled",
        "escalated",
    ]
