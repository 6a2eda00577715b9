"""Every (from, to) pair of the message flag's status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.messaging.models import Message, Thread
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.states import TRANSITIONS, FlagStatus
from tests import factories, transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role

pytestmark = pytest.mark.django_db

MATRIX = TransitionMatrix(TRANSITIONS, transition_spec.MESSAGE_FLAGS, roles=tuple(Role.values))


@pytest.fixture
def flag_in(marketplace):
    def make(status: str) -> MessageFlag:
        order = factories.OrderFactory(marketplace=marketplace)
        thread = Thread.objects.create(order=order, buyer=order.buyer, shop=order.shop)
        message = Message.objects.create(thread=thread, author_role="seller", body="pay me by card transfer")
        return MessageFlag.objects.create(
            message=message, order=order, marketplace=marketplace, kind="payment", action="hold", status=status
        )

    return make


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    statuses = FlagStatus.values
    assert MATRIX.pairs_covered() == {(s, t) for s in statuses for t in statuses}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(flag_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(flag_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(flag_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(flag_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(flag_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(flag_in(source), target=target, actor=actor_as(role))


def test_released_and_blocked_are_final():
    assert [s for s in FlagStatus.values if not TRANSITIONS.targets(s)] == ["released", "blocked"]
