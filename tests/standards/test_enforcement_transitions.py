"""Every (from, to) pair of the enforcement status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.standards.models import Enforcement
from marketdesk.standards.states import ENFORCEMENT_TRANSITIONS, EnforcementKind, EnforcementStatus
from tests import factories, transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role

MATRIX = TransitionMatrix(ENFORCEMENT_TRANSITIONS, transition_spec.ENFORCEMENTS, roles=tuple(Role.values))


@pytest.fixture
def measure_in(marketplace):
    def make(status: str) -> Enforcement:
        shop = factories.ShopFactory(marketplace=marketplace)
        return Enforcement.objects.create(shop=shop, kind=EnforcementKind.WARNING, reason="Below.", status=status)

    return make


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    statuses = EnforcementStatus.values
    assert MATRIX.pairs_covered() == {(s, t) for s in statuses for t in statuses}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(measure_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(measure_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(measure_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(measure_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(measure_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(measure_in(source), target=target, actor=actor_as(role))


def test_dismissed_revoked_and_lifted_are_final():
    assert [s for s in EnforcementStatus.values if not ENFORCEMENT_TRANSITIONS.targets(s)] == [
        "dismissed",
        "revoked",
        "lifted",
    ]
