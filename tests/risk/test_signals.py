"""Risk signals: the abusive buyers and the scam seller are found, with the orders behind them; the honest are not."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.risk.models import RiskKind, RiskSignal
from marketdesk.risk.selectors import risk_kinds_for_page, risk_signals_for_party
from marketdesk.risk.services import risk_recompute, risk_signals_refresh
from tests import factories

pytestmark = pytest.mark.django_db


def _signals():
    return {
        (s.buyer_id or s.shop_id, s.kind): (sorted(s.order_ids), sorted(s.case_ids), sorted(s.return_ids), s.detail)
        for s in RiskSignal.objects.all()
    }


def test_the_periodic_job_finds_each_abuser_with_the_orders_behind_it_and_no_honest_party(world):
    # when
    changed = risk_signals_refresh()

    # then
    claimer, signed, quick = world["claimer_cases"], world["signed_case"], world["quick_cases"]
    late, swapped, scam = world["late_returns"], world["swapped"], world["scam_cases"]
    assert _signals() == {
        (world["claimer"].pk, RiskKind.CLAIM_RATE): (
            sorted(c.order_id for c in claimer),
            sorted(c.pk for c in claimer),
            [],
            "",
        ),
        (world["signed"].pk, RiskKind.NOT_RECEIVED_WITH_PROOF): ([signed.order_id], [signed.pk], [], ""),
        (world["quick"].pk, RiskKind.QUICK_CLAIMS): (
            sorted(c.order_id for c in quick),
            sorted(c.pk for c in quick),
            [],
            "",
        ),
        (world["returner"].pk, RiskKind.LATE_RETURNS): (
            sorted(r.order_id for r in late),
            [],
            sorted(r.pk for r in late),
            "",
        ),
        (world["swapper"].pk, RiskKind.INSPECTION_MISMATCH): (
            sorted(r.order_id for r in swapped),
            [],
            sorted(r.pk for r in swapped),
            "",
        ),
        (world["scam_shop"].pk, RiskKind.REPEATED_NOT_AS_DESCRIBED): (
            sorted(c.order_id for c in scam),
            sorted(c.pk for c in scam),
            [],
            "LAMP-9",
        ),
    }
    assert changed == 6


def test_a_second_run_changes_nothing_and_a_settled_party_loses_its_signal(world, frozen_clock):
    # given
    risk_signals_refresh()

    # when the window moves past every claim
    frozen_clock.advance(dt.timedelta(days=91))
    again = risk_signals_refresh()

    # then
    assert (again, RiskSignal.objects.count()) == (6, 0)


def test_recompute_for_one_buyer_touches_only_that_buyer(world):
    # given
    operator = factories.OperatorFactory(marketplace=world["claimer"].marketplace)

    # when
    changed = risk_recompute(actor=Actor.for_user(operator), buyer_id=world["claimer"].pk)

    # then
    assert (changed, list(RiskSignal.objects.values_list("buyer_id", "kind"))) == (
        1,
        [(world["claimer"].pk, RiskKind.CLAIM_RATE)],
    )


def test_a_buyer_with_no_orders_has_no_signal_and_recompute_says_nothing_changed(frozen_clock, marketplace):
    # given
    buyer = factories.BuyerFactory(marketplace=marketplace)
    operator = factories.OperatorFactory(marketplace=marketplace)

    # when
    changed = risk_recompute(actor=Actor.for_user(operator), buyer_id=buyer.pk)

    # then
    assert (changed, risk_signals_for_party(Actor.for_user(operator), buyer_id=buyer.pk)) == (0, [])


@pytest.mark.parametrize("factory", [factories.BuyerFactory, factories.SellerFactory])
def test_parties_may_neither_recompute_nor_read_signals(world, factory):
    # given
    risk_signals_refresh()
    party = Actor.for_user(factory(marketplace=world["claimer"].marketplace))

    # when / then
    with pytest.raises(PermissionDenied):
        risk_recompute(actor=party, buyer_id=world["claimer"].pk)
    assert risk_signals_for_party(party, buyer_id=world["claimer"].pk) == []
    assert risk_kinds_for_page(party, buyer_ids=[world["claimer"].pk]) == ({}, {})


def test_a_page_reads_every_badge_in_one_query(world, django_assert_num_queries):
    # given
    risk_signals_refresh()
    operator = Actor.for_user(factories.OperatorFactory(marketplace=world["claimer"].marketplace))
    buyers = [world["claimer"].pk, world["quick"].pk, *(b.pk for b in world["honest"])]

    # when
    with django_assert_num_queries(1):
        kinds = risk_kinds_for_page(
            operator, buyer_ids=buyers, shop_ids=[world["scam_shop"].pk, world["honest_shop"].pk]
        )

    # then
    assert kinds == (
        {world["claimer"].pk: [RiskKind.CLAIM_RATE], world["quick"].pk: [RiskKind.QUICK_CLAIMS]},
        {world["scam_shop"].pk: [RiskKind.REPEATED_NOT_AS_DESCRIBED]},
    )


def test_a_buyer_whose_signals_change_is_sent_to_the_marketplace_once(world, marketplace):
    # given
    WebhookEndpoint.objects.create(
        marketplace=marketplace,
        url="https://hooks.example.test/risk",
        secret="whsec_" + "A" * 32,
        event_types=["buyer.risk_changed"],
    )

    # when
    risk_signals_refresh()
    risk_signals_refresh()

    # then
    payloads = sorted(
        (d.payload["data"]["buyer"], tuple(d.payload["data"]["signals"])) for d in WebhookDelivery.objects.all()
    )
    assert payloads == sorted(
        [
            (world["claimer"].external_id, ("claim_rate",)),
            (world["signed"].external_id, ("inr_with_proof",)),
            (world["quick"].external_id, ("quick_claims",)),
            (world["returner"].external_id, ("late_returns",)),
            (world["swapper"].external_id, ("inspection_mismatch",)),
        ]
    )
