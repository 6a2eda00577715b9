"""Every (from, to) pair of the buyer-restriction status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.risk.models import BuyerRestriction
from marketdesk.risk.states import RESTRICTION_TRANSITIONS, RestrictionStatus
from tests import factories, transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role

pytestmark = pytest.mark.django_db

MATRIX = TransitionMatrix(RESTRICTION_TRANSITIONS, transition_spec.BUYER_RESTRICTIONS, roles=tuple(Role.values))


@pytest.fixture
def restriction_in(marketplace, frozen_clock):
    def make(status: str) -> BuyerRestriction:
        buyer = factories.BuyerFactory(marketplace=marketplace)
        operator = factories.OperatorFactory(marketplace=marketplace)
        return BuyerRestriction.objects.create(
            buyer=buyer, applied_by=operator, reason="Claims.", status=status, effective_at=frozen_clock.now()
        )

    return make


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    statuses = RestrictionStatus.values
    assert MATRIX.pairs_covered() == {(s, t) for s in statuses for t in statuses}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(restriction_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(restriction_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(restriction_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(restriction_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(restriction_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(restriction_in(source), target=target, actor=actor_as(role))
