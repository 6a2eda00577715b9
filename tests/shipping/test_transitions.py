"""Every (from, to) pair of the delivery change and lost-parcel tables, as every role."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.core.actors import Role
from marketdesk.shipping.models import DeliveryChangeRequest, LostParcelInvestigation
from marketdesk.shipping.states import (
    CHANGE_TRANSITIONS,
    INVESTIGATION_TRANSITIONS,
    ChangeStatus,
    InvestigationStatus,
)
from tests import transition_spec
from tests.core.transition_matrix import TransitionMatrix, actor_for_role
from tests.shipping.conftest import START, make_shipment

CHANGES = TransitionMatrix(CHANGE_TRANSITIONS, transition_spec.DELIVERY_CHANGES, roles=tuple(Role.values))
INVESTIGATIONS = TransitionMatrix(INVESTIGATION_TRANSITIONS, transition_spec.INVESTIGATIONS, roles=tuple(Role.values))


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


@pytest.fixture
def change_in(order, evri, buyer):
    def make(status: str) -> DeliveryChangeRequest:
        shipment = make_shipment(order, evri, f"EV-{DeliveryChangeRequest.objects.count()}")
        return DeliveryChangeRequest.objects.create(
            shipment=shipment, requested_by=buyer, kind="address", route="seller", status=status
        )

    return make


@pytest.fixture
def investigation_in(order, evri):
    def make(status: str) -> LostParcelInvestigation:
        shipment = make_shipment(order, evri, f"EV-L{LostParcelInvestigation.objects.count()}")
        return LostParcelInvestigation.objects.create(shipment=shipment, status=status, due_at=START, policy_version=0)

    return make


def test_the_matrices_cover_every_pair():
    assert CHANGES.pairs_covered() == {(s, t) for s in ChangeStatus.values for t in ChangeStatus.values}
    assert INVESTIGATIONS.pairs_covered() == {
        (s, t) for s in InvestigationStatus.values for t in InvestigationStatus.values
    }


@pytest.mark.parametrize(("source", "target", "role"), CHANGES.allowed())
def test_change_allowed_move(change_in, actor_as, source, target, role):
    CHANGES.assert_move_recorded(change_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), CHANGES.refused_roles())
def test_change_role_refused(change_in, actor_as, source, target, role):
    CHANGES.assert_role_refused(change_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), CHANGES.not_in_table())
def test_change_pair_refused(change_in, actor_as, source, target, role):
    CHANGES.assert_pair_refused(change_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INVESTIGATIONS.allowed())
def test_investigation_allowed_move(investigation_in, actor_as, source, target, role):
    INVESTIGATIONS.assert_move_recorded(investigation_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INVESTIGATIONS.refused_roles())
def test_investigation_role_refused(investigation_in, actor_as, source, target, role):
    INVESTIGATIONS.assert_role_refused(investigation_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INVESTIGATIONS.not_in_table())
def test_investigation_pair_refused(investigation_in, actor_as, source, target, role):
    INVESTIGATIONS.assert_pair_refused(investigation_in(source), target=target, actor=actor_as(role))
