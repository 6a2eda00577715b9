"""Faults on the running topology; each ends with every webhook and mail delivered once, nothing doubled.

Retries, claim leases and sweeps are seconds long here (the session's topology fixture), so
recovery is awaited with a bounded poll, never a fixed sleep.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections

from marketdesk.messaging.models import Message
from scripts.topology import listening
from tests.conftest import SmtpSink
from tests.topology.conftest import WebhookReceiver, eventually, stalled
from tests.topology.market import Market, call, outbox_undelivered

pytestmark = pytest.mark.topology


def market_at(topology, receiver: WebhookReceiver, name: str) -> Market:
    market = Market.create(topology.url)
    receiver.secrets[f"/hooks/{name}"] = market.register_endpoint(receiver.url_for(name))
    return market


def received_mail(sink: SmtpSink) -> Counter[str]:
    return Counter(str(mail.message["Message-ID"]) for mail in sink.messages)


def assert_delivered(
    market: Market, receiver: WebhookReceiver, sink: SmtpSink, *, resent: set[str] = frozenset(), by_id: bool = False
):
    """Every webhook and mail of ``market`` delivered and recorded, each received once, nothing doubled.

    ``resent`` webhooks (in flight when their sender died) and, with ``by_id``, any webhook or mail
    whose result could not be recorded may arrive again with the same id: counted once by that id,
    as the receiver and mail software de-duplicate them.
    """
    eventually(lambda: outbox_undelivered() == 0 and market.pending_webhooks() == 0, what="everything delivered")
    expected = market.webhook_ids()
    accepted = receiver.accepted_of(expected)
    assert {i: min(n, 1) if by_id or i in resent else n for i, n in accepted.items()} == dict.fromkeys(expected, 1)
    mails = market.emailed()
    received = received_mail(sink)
    assert mails
    assert {i: min(received[i], 1) if by_id else received[i] for i in mails} == mails
    assert market.doubled_ledger_entries() == 0


def test_a_worker_killed_mid_delivery_is_finished_by_a_restarted_one(topology, receiver, mail_sink, orm):
    # given a receiver that takes a delivery and does not answer yet
    market = market_at(topology, receiver, "killed-worker")
    with stalled(receiver):
        arrived = len(receiver.arrived)
        market.order_with_case("O-KILL-1")
        eventually(lambda: len(receiver.arrived) > arrived, what="a delivery in flight")
        in_flight = set(receiver.arrived[arrived:])

        # when the webhooks worker is killed while the receiver holds that request
        topology.processes["worker-webhooks"].kill()

    # then, the worker started again by the supervisor, its claim lapses, the delivery is sent
    # again with the same id and recorded once
    assert_delivered(market, receiver, mail_sink, resent=in_flight)


def test_redis_restarted_loses_no_delivery(topology, receiver, mail_sink, orm):
    # given deliveries queued in Redis
    market = market_at(topology, receiver, "redis-restart")
    market.order_with_case("O-REDIS-1")

    # when Redis is killed (the supervisor starts it again on its port) and the marketplace goes on writing
    topology.processes["redis"].kill()
    eventually(lambda: listening(topology.redis_port), what="Redis back")
    market.post_message("O-REDIS-1", "Written after Redis came back")

    # then the workers reconnect and everything is delivered once
    assert_delivered(market, receiver, mail_sink)


def test_postgresql_restarted_loses_no_delivery(topology, receiver, mail_sink, orm):
    # given a marketplace with a case
    market = market_at(topology, receiver, "pg-restart")
    market.order_with_case("O-PG-1")

    # when PostgreSQL stops and starts again, and the marketplace writes once the API answers again
    topology.pg_stop()
    topology.pg_start()
    connections.close_all()  # this test's own connection went with the old server
    eventually(
        lambda: call(topology.url, "GET", "/api/v1/cases", key=market.key)[0] == 200, what="the API answering again"
    )
    market.post_message("O-PG-1", "Written after PostgreSQL came back")

    # then the web processes and workers work on new connections and everything is delivered once by id
    # (a send whose result the restart kept from being recorded goes again, with the same id)
    assert_delivered(market, receiver, mail_sink, by_id=True)


def test_a_receiver_down_for_a_while_gets_everything_once_when_back(topology, receiver, mail_sink, orm):
    # given the marketplace's receiver is down
    market = market_at(topology, receiver, "receiver-down")
    receiver.stop()
    try:
        # when cases are opened and their deliveries fail
        market.order_with_case("O-DOWN-1")
        eventually(lambda: market.failed_attempts() >= 2, what="failed attempts")
    finally:
        # and the receiver comes back
        receiver.start()

    # then the retries deliver every webhook once
    assert_delivered(market, receiver, mail_sink)


def test_one_web_process_killed_under_load_the_balancer_carries_on(topology, receiver, mail_sink, orm):
    # given a marketplace posting messages from four clients at once, each about an order of its own
    market = market_at(topology, receiver, "web-killed")
    for n in range(4):
        market.order_with_case(f"O-WEB-{n}")
    answers: list[tuple[int, object]] = []
    posted = threading.Event()

    def client(n: int) -> None:
        for i in range(12):
            # client_token: the API's own de-duplication of a message, for a request the balancer
            # repeated after the dying process had stored it but not yet its Idempotency-Key's answer
            body = {"body": f"client {n} message {i}", "client_token": f"web-killed-{n}-{i}"}
            answers.append(market.api("POST", f"/orders/O-WEB-{n}/messages", body))
            posted.set()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in clients:
        thread.start()

    # when one web process is killed while they post (the supervisor starts it again)
    posted.wait(timeout=60)
    topology.processes["web-1"].kill()
    for thread in clients:
        thread.join(timeout=120)

    # then every request succeeded through the other one, each message stored once, all delivered once
    assert [answer for answer in answers if answer[0] != 201] == []
    assert len(answers) == 48
    assert (
        Message.objects.filter(thread__order__marketplace=market.marketplace, body__startswith="client ").count() == 48
    )
    assert_delivered(market, receiver, mail_sink)
