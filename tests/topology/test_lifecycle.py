"""Through the balancer, on the distributed backend: the API lifecycle and its webhooks, each once."""

from __future__ import annotations

import pytest

from tests.topology.conftest import eventually
from tests.topology.market import Market

pytestmark = pytest.mark.topology


def test_order_case_and_message_through_the_balancer_reach_the_marketplace_once_each(topology, receiver, orm):
    # given a marketplace with an endpoint at the loopback receiver
    market = Market.create(topology.url)
    receiver.secrets["/hooks/lifecycle"] = market.register_endpoint(receiver.url_for("lifecycle"))

    # when its back office upserts an order, opens a case and posts the buyer's message
    market.order_with_case("O-LIFE-1")
    market.post_message("O-LIFE-1", "Any news about my parcel?")

    # then every webhook written for it is received, verified, exactly once, and recorded as delivered
    eventually(lambda: market.pending_webhooks() == 0 and bool(market.webhook_ids()), what="webhooks delivered")
    expected = market.webhook_ids()
    assert receiver.accepted_of(expected) == expected
    assert market.doubled_ledger_entries() == 0
