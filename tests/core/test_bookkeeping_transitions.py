"""Every (from, to) pair of the bookkeeping tables (offers, refund instructions, payout holds, webhook deliveries,
standards jobs), as every role, held to the hand-written page: a move on it is made and records no
timeline event; any other role or pair is refused and changes nothing."""

from __future__ import annotations

from functools import partial

import pytest

from marketdesk.cases.models import OFFER_TRANSITIONS, Case, CaseOffer, OfferKind
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.transitions import transition_bulk
from marketdesk.ledger.models import (
    HOLD_TRANSITIONS,
    INSTRUCTION_TRANSITIONS,
    EntryKind,
    LedgerEntry,
    Payer,
    PayoutHold,
)
from marketdesk.notifications.models import DELIVERY_TRANSITIONS, WebhookDelivery, WebhookEndpoint
from marketdesk.standards.models import JOB_TRANSITIONS, JobScope, JobStatus, StandardsJob
from tests import factories, transition_spec
from tests.cases.factories import CaseFactory
from tests.core.transition_matrix import TransitionMatrix, actor_for_role, status_in_db

pytestmark = pytest.mark.django_db

ROLES = tuple(Role.values)
OFFERS = TransitionMatrix(OFFER_TRANSITIONS, transition_spec.OFFERS, roles=ROLES)
INSTRUCTIONS = TransitionMatrix(INSTRUCTION_TRANSITIONS, transition_spec.LEDGER_INSTRUCTIONS, roles=ROLES)
HOLDS = TransitionMatrix(HOLD_TRANSITIONS, transition_spec.PAYOUT_HOLDS, roles=ROLES)
DELIVERIES = TransitionMatrix(DELIVERY_TRANSITIONS, transition_spec.WEBHOOK_DELIVERIES, roles=ROLES)
JOBS = TransitionMatrix(JOB_TRANSITIONS, transition_spec.STANDARDS_JOBS, roles=ROLES)
# Only refunds are instructed; any other kind of entry is "n/a" (a database constraint holds the pair).
KIND_FOR = {"n/a": EntryKind.COMPENSATION, "instructed": EntryKind.REFUND, "acknowledged": EntryKind.REFUND}


@pytest.fixture
def actor_as(marketplace):
    return partial(actor_for_role, marketplace=marketplace)


@pytest.fixture
def offer_in(marketplace):
    def make(status: str) -> CaseOffer:
        case = CaseFactory(order=factories.OrderFactory(marketplace=marketplace))
        return CaseOffer.objects.create(case=case, kind=OfferKind.REPLACEMENT, status=status)

    return make


@pytest.fixture
def entry_in(marketplace):
    def make(status: str) -> LedgerEntry:
        return LedgerEntry.objects.create(
            order=factories.OrderFactory(marketplace=marketplace),
            decision_key=f"test-{status}",
            kind=KIND_FOR[status],
            payer=Payer.SELLER,
            amount_minor=500,
            currency="EUR",
            reason="test",
            created_by_role=Role.OPERATOR,
            instruction_status=status,
        )

    return make


@pytest.fixture
def delivery_in(marketplace):
    def make(status: str) -> WebhookDelivery:
        endpoint = WebhookEndpoint.objects.create(marketplace=marketplace, url="https://example.test/h", secret="s")
        return WebhookDelivery.objects.create(
            endpoint=endpoint, event_id="evt-1", event_type="case.opened", payload={}, status=status
        )

    return make


@pytest.fixture
def hold_in(marketplace):
    def make(status: str) -> PayoutHold:
        order = factories.OrderFactory(marketplace=marketplace)
        return PayoutHold.objects.create(
            order=order,
            shop_id=order.shop_id,
            reason_type="case",
            reason_id=order.pk,
            amount_minor=100,
            currency="GBP",
            status=status,
        )

    return make


@pytest.fixture
def job_in(marketplace):
    return lambda status: StandardsJob.objects.create(
        scope=JobScope.ALL, marketplace=marketplace, day=clock.now().date(), status=status
    )


@pytest.mark.parametrize(("source", "target", "role"), OFFERS.allowed())
def test_offer_move_on_the_page_is_made(offer_in, actor_as, source, target, role):
    OFFERS.assert_move_recorded(offer_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), OFFERS.refused_roles())
def test_offer_move_by_another_role_is_refused(offer_in, actor_as, source, target, role):
    OFFERS.assert_role_refused(offer_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), OFFERS.not_in_table())
def test_offer_pair_off_the_page_is_refused(offer_in, actor_as, source, target, role):
    OFFERS.assert_pair_refused(offer_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INSTRUCTIONS.allowed())
def test_instruction_move_on_the_page_is_made(entry_in, actor_as, source, target, role):
    INSTRUCTIONS.assert_move_recorded(entry_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INSTRUCTIONS.refused_roles())
def test_instruction_move_by_another_role_is_refused(entry_in, actor_as, source, target, role):
    INSTRUCTIONS.assert_role_refused(entry_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), INSTRUCTIONS.not_in_table())
def test_instruction_pair_off_the_page_is_refused(entry_in, actor_as, source, target, role):
    INSTRUCTIONS.assert_pair_refused(entry_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), HOLDS.allowed())
def test_hold_move_on_the_page_is_made(hold_in, actor_as, source, target, role):
    HOLDS.assert_move_recorded(hold_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), HOLDS.refused_roles())
def test_hold_move_by_another_role_is_refused(hold_in, actor_as, source, target, role):
    HOLDS.assert_role_refused(hold_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), HOLDS.not_in_table())
def test_hold_pair_off_the_page_is_refused(hold_in, actor_as, source, target, role):
    HOLDS.assert_pair_refused(hold_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), DELIVERIES.allowed())
def test_delivery_move_on_the_page_is_made(delivery_in, actor_as, source, target, role):
    DELIVERIES.assert_move_recorded(delivery_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), DELIVERIES.refused_roles())
def test_delivery_move_by_another_role_is_refused(delivery_in, actor_as, source, target, role):
    DELIVERIES.assert_role_refused(delivery_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), DELIVERIES.not_in_table())
def test_delivery_pair_off_the_page_is_refused(delivery_in, actor_as, source, target, role):
    DELIVERIES.assert_pair_refused(delivery_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), JOBS.allowed())
def test_job_move_on_the_page_is_made(job_in, actor_as, source, target, role):
    JOBS.assert_move_recorded(job_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), JOBS.refused_roles())
def test_job_move_by_another_role_is_refused(job_in, actor_as, source, target, role):
    JOBS.assert_role_refused(job_in(source), target=target, actor=actor_as(role))


@pytest.mark.parametrize(("source", "target", "role"), JOBS.not_in_table())
def test_job_pair_off_the_page_is_refused(job_in, actor_as, source, target, role):
    JOBS.assert_pair_refused(job_in(source), target=target, actor=actor_as(role))


def test_bulk_move_leaves_rows_whose_status_the_page_does_not_allow_to_move(job_in):
    # Given a job in each status
    jobs = {status: job_in(status) for status in JobStatus.values}

    # When the worker moves them all to done in one statement
    moved = transition_bulk(StandardsJob.objects.all(), to=JobStatus.DONE, actor=Actor.system())

    # Then only the running one moved (running -> done is the page's only way to done)
    assert moved == 1
    assert {status: status_in_db(job) for status, job in jobs.items()} == {
        "queued": "queued",
        "running": "done",
        "done": "done",
        "failed": "failed",
    }


def test_bulk_move_by_a_role_the_page_refuses_changes_nothing(job_in):
    job = job_in(JobStatus.RUNNING)

    with pytest.raises(PermissionDenied):
        transition_bulk(StandardsJob.objects.all(), to=JobStatus.DONE, actor=Actor(role=Role.OPERATOR))

    assert status_in_db(job) == "running"


def test_bulk_move_refuses_a_table_whose_moves_record_events(offer_in):
    # A case's moves append timeline events, which one UPDATE cannot write: transition() is the only way.
    case = offer_in("pending").case

    with pytest.raises(ValueError, match="records a timeline event"):
        transition_bulk(Case.objects.all(), to="expired", actor=Actor.system())

    assert status_in_db(case) == "awaiting_seller"
