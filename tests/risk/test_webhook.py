"""``buyer.risk_changed`` reaches the marketplace's receiver on 127.0.0.1, signed, through the real delivery path."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from marketdesk.core.outbox import outbox_sweep
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_secret_generate
from marketdesk.risk.services import risk_signals_refresh
from tests.notifications.receiver import Receiver, receiver_running

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiver_running() as running:
        yield running


def test_each_changed_buyer_arrives_signed_with_the_kinds_and_no_evidence(world, marketplace, receiver):
    # given the marketplace listens for risk changes only
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate(), event_types=["buyer.risk_changed"]
    )

    # when the job finds the abusers and the outbox delivers
    risk_signals_refresh()
    sent = outbox_sweep(older_than=dt.timedelta(0))

    # then every request verifies with the endpoint's secret and says who and which kinds, never the evidence
    events = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.received]
    assert sent == len(receiver.received) == 5
    assert sorted((e["type"], e["data"]["buyer"], tuple(e["data"]["signals"])) for e in events) == sorted(
        [
            ("buyer.risk_changed", world["claimer"].external_id, ("claim_rate",)),
            ("buyer.risk_changed", world["signed"].external_id, ("inr_with_proof",)),
            ("buyer.risk_changed", world["quick"].external_id, ("quick_claims",)),
            ("buyer.risk_changed", world["returner"].external_id, ("late_returns",)),
            ("buyer.risk_changed", world["swapper"].external_id, ("inspection_mismatch",)),
        ]
    )
    assert [set(e["data"]) for e in events] == [{"buyer", "signals"}] * 5
    assert sorted(receiver.ids()) == sorted(WebhookDelivery.objects.values_list("event_id", flat=True))
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_tampered_body_does_not_verify(world, marketplace, receiver):
    # given
    endpoint = WebhookEndpoint.objects.create(
        marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate(), event_types=["buyer.risk_changed"]
    )
    risk_signals_refresh()
    outbox_sweep(older_than=dt.timedelta(0))
    request = receiver.received[0]
    body = json.loads(request.body)
    body["data"]["signals"] = []

    # when / then
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(json.dumps(body), request.headers)
