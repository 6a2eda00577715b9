"""Headless mode end to end: a whole return through the API alone, each step heard by webhook.

The marketplace's key requests the return for its buyer and handles it for its seller. After each
step the outbox runs as the worker would, and a real receiver on 127.0.0.1 must get the step's
events, each verified with the ``standardwebhooks`` library against the endpoint's secret.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.headless import SELLER_ID

pytestmark = pytest.mark.django_db


def test_a_whole_return_through_the_api_heard_step_by_step(backend, order, buyer, named_seller, at_now):
    as_seller = {"seller": SELLER_ID}

    # The buyer asks to return the hat for a reason outside policy: it waits for the seller.
    request = {
        "buyer": buyer.external_id,
        "lines": [{"line": "L2", "quantity": 1}],
        "reason": "other",
        "description": "A gift I already had.",
    }
    requested = backend.post(f"/orders/{order.external_id}/returns", request, 201)
    assert requested["status"] == "requested"
    heard = backend.hears()
    assert [kind for kind, _data in heard] == ["payout.hold", "return.requested"]
    assert (heard[0][1]["amount_minor"], heard[1][1]["code"]) == (1500, requested["code"])
    url = f"/returns/{requested['id']}"

    # The seller approves, receives the parcel and inspects it; the refund follows.
    assert backend.post(f"{url}/approve", as_seller)["status"] == "approved"
    assert [kind for kind, _data in backend.hears()] == ["return.approved"]
    at_now.advance(dt.timedelta(days=2))
    assert backend.post(f"{url}/receive", as_seller)["status"] == "received"
    assert [kind for kind, _data in backend.hears()] == ["return.received"]
    inspection = {**as_seller, "lines": [{"line": "L2", "accepted": 1, "condition": "as_new"}]}
    inspected = backend.post(f"{url}/inspection", inspection)
    assert (inspected["status"], inspected["refund_minor"], inspected["refund_paid_by"]) == ("refunded", 1500, "seller")
    heard = dict(backend.hears())
    assert sorted(heard) == ["payout.release", "refund.instructed", "return.refunded"]
    assert (heard["payout.release"]["kept_minor"], heard["payout.release"]["released_minor"]) == (1500, 0)
    assert (heard["return.refunded"]["refund_minor"], heard["refund.instructed"]["amount_minor"]) == (1500, 1500)
