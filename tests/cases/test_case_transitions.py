"""Every (from, to) pair of the case status table, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.cases.states import CASE_TRANSITIONS, CaseStatus
from marketdesk.core.actors import Role
from tests import factories, transition_spec
from tests.cases.factories import CaseFactory
from tests.core.transition_matrix import TransitionMatrix, actor_for_role

MATRIX = TransitionMatrix(CASE_TRANSITIONS, transition_spec.CASES, roles=tuple(Role.values))


@pytest.fixture
def case_in(marketplace):
    return lambda status: CaseFactory(order=factories.OrderFactory(marketplace=marketplace), status=status)


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


def test_the_matrix_covers_every_pair_of_statuses():
    assert MATRIX.pairs_covered() == {(s, t) for s in CaseStatus.values for t in CaseStatus.values}


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
def test_allowed_move_sets_the_status_and_records_its_event(case_in, actor_as, source, target, role):
    MATRIX.assert_move_recorded(case_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.refused_roles())
def test_role_outside_the_move_is_refused_and_nothing_changes(case_in, actor_as, source, target, role):
    MATRIX.assert_role_refused(case_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), MATRIX.not_in_table())
def test_pair_not_in_the_table_is_refused_and_nothing_changes(case_in, actor_as, source, target, role):
    MATRIX.assert_pair_refused(case_in(source), target=target, actor=actor_as(role))


def test_terminal_statuses_have_no_way_out():
    assert [s for s in CaseStatus.values if not CASE_TRANSITIONS.targets(s)] == ["withdrawn", "expired", "closed"]
