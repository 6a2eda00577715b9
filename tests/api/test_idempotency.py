"""Idempotency-Key on write operations: replay the first answer, refuse a reused key, one at a time."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from marketdesk.api.idempotency import ABANDONED_AFTER, RETENTION, idempotency_records_purge
from marketdesk.api.models import IdempotencyRecord
from marketdesk.notifications import api as webhooks_api
from marketdesk.notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/endpoints"
BODY = {"url": "http://127.0.0.1:8009/hooks", "event_types": ["case.decided"]}


def post(client, body, key="key-1"):
    return client.post(URL, body, content_type="application/json", headers={"Idempotency-Key": key})


def test_the_same_key_and_body_replay_the_first_response_and_do_nothing_again(key_client):
    first = post(key_client, BODY)

    again = post(key_client, {"event_types": ["case.decided"], "url": BODY["url"]})  # same content, other order

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (again["Idempotent-Replayed"], again["Content-Type"]) == ("true", "application/json; charset=utf-8")
    assert WebhookEndpoint.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(key_client):
    post(key_client, BODY)

    response = post(key_client, {**BODY, "event_types": ["case.opened"]})

    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert WebhookEndpoint.objects.count() == 1


def test_a_repeat_while_the_first_is_still_running_is_told_to_wait(key_client, marketplace):
    post(key_client, BODY)
    IdempotencyRecord.objects.update(status_code=None, response_body="")

    response = post(key_client, BODY)

    assert (response.status_code, response.json()["code"]) == (409, "idempotency_in_progress")
    assert WebhookEndpoint.objects.count() == 1


def test_a_first_request_left_unanswered_too_long_is_taken_over_by_its_repeat(key_client, frozen_clock):
    # given a first request that never answered (its web process died after recording the key)
    post(key_client, BODY)
    IdempotencyRecord.objects.update(status_code=None, response_body="")
    WebhookEndpoint.objects.all().delete()
    frozen_clock.advance(ABANDONED_AFTER + dt.timedelta(seconds=1))

    # when the client repeats it
    response = post(key_client, BODY)

    # then the repeat runs and is the answer kept for the key
    assert (response.status_code, WebhookEndpoint.objects.count()) == (201, 1)
    assert post(key_client, BODY)["Idempotent-Replayed"] == "true"


class ProcessDied(BaseException):
    """The web process killed mid-request: no handler runs, the database connection just ends."""


def _die_when_the_answer_is_stored(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    if sql.startswith('UPDATE "api_idempotencyrecord"') and '"status_code"' in sql:
        raise ProcessDied()
    return execute(sql, *args)


@pytest.mark.django_db(transaction=True)
def test_a_request_that_dies_after_its_write_but_before_its_answer_is_stored_writes_once(key_client, frozen_clock):
    # given a first request whose process dies at the moment its key's answer is being stored
    with connection.execute_wrapper(_die_when_the_answer_is_stored), pytest.raises(ProcessDied):
        post(key_client, BODY)
    endpoints_after_the_crash = WebhookEndpoint.objects.count()
    frozen_clock.advance(ABANDONED_AFTER + dt.timedelta(seconds=1))

    # when the client repeats it once the first is taken for dead, and then again
    retried = post(key_client, BODY)
    again = post(key_client, BODY)

    # then the dead request's write went with it, the repeat wrote once, and its answer is the key's for good
    assert (endpoints_after_the_crash, retried.status_code, "Idempotent-Replayed" in retried) == (0, 201, False)
    assert (again.status_code, again["Idempotent-Replayed"], again.json()) == (201, "true", retried.json())
    assert list(WebhookEndpoint.objects.values_list("pk", flat=True)) == [retried.json()["id"]]


FIRST_AT_ITS_WRITE = threading.Event()
FIRST_MAY_GO_ON = threading.Event()


def _pause_at_the_write(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    if sql.startswith('INSERT INTO "notifications_webhookendpoint"'):
        FIRST_AT_ITS_WRITE.set()
        FIRST_MAY_GO_ON.wait(timeout=10)
    return execute(sql, *args)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two requests at once need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_a_repeat_taking_over_a_first_request_that_is_only_slow_waits_for_it_and_replays_it(key_client, frozen_clock):
    # given a first request still running (held at its write) when its repeat comes, after the abandon time
    first: dict[str, Any] = {}

    def slow_first() -> None:
        with connection.execute_wrapper(_pause_at_the_write):
            first["response"] = post(key_client, BODY)
        connection.close()

    FIRST_AT_ITS_WRITE.clear()
    FIRST_MAY_GO_ON.clear()
    thread = threading.Thread(target=slow_first)
    thread.start()
    FIRST_AT_ITS_WRITE.wait(timeout=10)
    frozen_clock.advance(ABANDONED_AFTER + dt.timedelta(seconds=1))

    # when the repeat arrives, and the first goes on a second later
    threading.Timer(1.0, FIRST_MAY_GO_ON.set).start()
    retried = post(key_client, BODY)
    thread.join(timeout=10)

    # then the repeat waited for the first and answered with its answer; the write was done once
    assert (first["response"].status_code, retried.status_code, retried["Idempotent-Replayed"]) == (201, 201, "true")
    assert retried.json() == first["response"].json()
    assert WebhookEndpoint.objects.count() == 1


def test_a_first_request_still_within_its_time_is_waited_for(key_client, frozen_clock):
    post(key_client, BODY)
    IdempotencyRecord.objects.update(status_code=None, response_body="")
    frozen_clock.advance(ABANDONED_AFTER - dt.timedelta(seconds=1))

    response = post(key_client, BODY)

    assert (response.status_code, response.json()["code"]) == (409, "idempotency_in_progress")


def test_keys_of_two_marketplaces_never_collide(key_client, other_key_client):
    mine = post(key_client, BODY)
    theirs = post(other_key_client, BODY)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_request_is_replayed_as_refused(key_client):
    first = post(key_client, {**BODY, "url": "ftp://example.test/"})

    again = post(key_client, {**BODY, "url": "ftp://example.test/"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (422, 422, "true")
    assert again.json() == first.json()


def test_a_body_that_fails_validation_is_not_recorded(key_client):
    response = post(key_client, {"url": 5})

    assert (response.status_code, IdempotencyRecord.objects.count()) == (422, 0)


def test_without_the_header_every_request_runs(key_client):
    key_client.post(URL, BODY, content_type="application/json")
    key_client.post(URL, BODY, content_type="application/json")

    assert (WebhookEndpoint.objects.count(), IdempotencyRecord.objects.count()) == (2, 0)


def test_an_overlong_key_is_refused(key_client):
    response = post(key_client, BODY, key="k" * 256)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "Idempotency-Key")
    assert WebhookEndpoint.objects.count() == 0


def test_a_server_error_is_not_kept_so_the_client_may_try_again(key_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(webhooks_api, "webhook_endpoint_create", broken)
    failed = post(key_client, BODY)
    monkeypatch.undo()

    retried = post(key_client, BODY)

    assert (failed.status_code, retried.status_code) == (500, 201)
    assert "Idempotent-Replayed" not in retried
    assert WebhookEndpoint.objects.count() == 1


def test_a_request_without_valid_credentials_is_refused_before_any_record(anonymous_client):
    response = post(anonymous_client, BODY)

    assert (response.status_code, IdempotencyRecord.objects.count()) == (401, 0)


def test_keys_are_forgotten_after_the_retention_period(key_client, frozen_clock):
    post(key_client, BODY)
    frozen_clock.advance(RETENTION)
    kept = idempotency_records_purge()
    frozen_clock.advance(dt.timedelta(seconds=1))

    purged = idempotency_records_purge()
    again = post(key_client, BODY)

    assert (kept, purged, again.status_code) == (0, 1, 201)
    assert WebhookEndpoint.objects.count() == 2
