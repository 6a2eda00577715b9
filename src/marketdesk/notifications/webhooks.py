"""Outgoing webhooks per the Standard Webhooks specification, delivered through the outbox.

``webhook_event_emit`` writes one ``WebhookDelivery`` per subscribed endpoint and
one outbox message per delivery, in the caller's transaction: a rolled-back
change sends nothing.

Each attempt follows the outbox's claim → send → record steps (``core.outbox``).
In the claim's transaction, ``_begin_attempt`` checks the attempt is still the
one due (a stale round or a duplicate begins nothing), writes its
``WebhookAttempt`` as "sending" and counts it: every request made is logged and
counted, whatever happens to the worker after. The ``webhook.deliver`` handler
then POSTs outside any transaction and returns ``_record_attempt``, which the
outbox runs in its short record transaction only if the message's claim is
still this worker's: it completes the attempt's row and, if the delivery still
waits on this attempt, moves its status on.

A worker that dies after the POST and before the record leaves the claim to
expire. The next claim of the message finds the attempt still "sending" and
marks it "outcome unknown (the worker stopped)", which counts as a failed
attempt: the next one is queued per the schedule and POSTs again with the same
``webhook-id`` (the delivery's event id), on which receivers de-duplicate.

Retries: the handler never raises for a failed POST. It makes one attempt,
logs it, and on failure queues the next attempt as a new outbox message that
becomes available after ``WEBHOOK_RETRY_SCHEDULE`` (the outbox sweep picks it
up). Raising instead would let the outbox back off, but would also drop the
attempt log and counters. After the last step of the schedule (a little over a
day) the delivery is marked failed; a manual retry or a ledger re-send starts a
new round with the same event id.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from standardwebhooks import Webhook

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import Record, outbox_assert_outside_transactions, outbox_handler, outbox_put
from marketdesk.core.transitions import transition
from marketdesk.notifications.models import (
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

TOPIC = "webhook.deliver"
TIMEOUT_SECONDS = 10
#: Waits before each retry within a round (seconds), after the first attempt: 5 s, 5 min, 30 min, 2 h,
#: 5 h, 10 h, 10 h — about 27 hours in all, the schedule the Standard Webhooks reference services use
#: (MARKETDESK_WEBHOOK_RETRY_SECONDS; the topology's fault tests shorten it).
WEBHOOK_RETRY_SCHEDULE = tuple(settings.WEBHOOK_RETRY_SECONDS)
SECRET_PREFIX = "whsec_"  # noqa: S105 - the public prefix of the spec, not a secret
_ERROR_LIMIT = 2000
#: The error of an attempt whose worker stopped between sending and recording (the receiver may have it).
OUTCOME_UNKNOWN = "outcome unknown: the worker stopped before recording the answer"


def webhook_secret_generate() -> str:
    """Return a new signing secret: ``whsec_`` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_url_validate(url: str) -> str:
    """Return the URL if deliveries may go there, else raise a field error.

    In production only https, and never a private, loopback, link-local or
    otherwise internal address (the server must not be turned against its
    own network). Development and tests may use http://127.0.0.1.
    """
    parsed = urllib.parse.urlsplit(url)
    allowed = ("https",) if settings.PRODUCTION else ("http", "https")
    if parsed.scheme not in allowed or not parsed.hostname:
        raise DomainValidationError(_("Enter an https:// address that can receive webhooks."), field="url")
    if parsed.username is not None or parsed.password is not None:
        # A name or password in the address would be sent nowhere (deliveries sign with the secret) and kept in logs.
        raise DomainValidationError(
            _("Leave the name and password out of the address: deliveries are signed with the secret."), field="url"
        )
    if settings.PRODUCTION:
        try:
            infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise DomainValidationError(_("The host of this address cannot be found."), field="url") from exc
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if not address.is_global or address.is_multicast:
                raise DomainValidationError(
                    _("Webhooks cannot be sent to a private, loopback or link-local address."), field="url"
                )
    return url


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # The payload is stored and sent as JSON: normalise dates, decimals and UUIDs once, here.
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def webhook_event_emit(*, marketplace_id: int, event_type: str, data: dict[str, Any], event_id: str) -> int:
    """Queue one event to every active endpoint of the marketplace subscribed to event_type (in the caller's transaction); return how many deliveries were queued. A repeat with the same event_id queues nothing new."""
    endpoints = WebhookEndpoint.objects.filter(marketplace_id=marketplace_id, active=True, deleted_at__isnull=True)
    payload = {"type": event_type, "timestamp": _timestamp(clock.now()), "data": _jsonable(data)}
    queued = 0
    for endpoint in endpoints.order_by("id"):
        if not endpoint.subscribes_to(event_type):
            continue
        if WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).exists():
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    payload=payload,
                    next_attempt_at=clock.now(),
                )
        except IntegrityError:  # a concurrent emit of the same event won the race: it is queued once
            continue
        _queue_attempt(delivery)
        queued += 1
    return queued


def webhook_delivery_restart(delivery: WebhookDelivery, *, actor: Actor) -> WebhookDelivery:
    """Start a new round of attempts for a delivery (same event id); the caller holds its row lock."""
    delivery.round += 1
    delivery.round_attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.delivered_at = None
    fields = ["round", "round_attempts", "next_attempt_at", "delivered_at"]
    transition(delivery, to=DeliveryStatus.PENDING, actor=actor, fields=fields)
    _queue_attempt(delivery)
    return delivery


def _queue_attempt(delivery: WebhookDelivery, *, not_before: dt.datetime | None = None) -> OutboxMessage:
    attempt = delivery.attempts + 1
    message = outbox_put(
        topic=TOPIC,
        payload={"delivery_id": delivery.pk, "round": delivery.round, "attempt": attempt},
        dedupe_key=f"{TOPIC}:{delivery.pk}:{delivery.round}:{attempt}",
    )
    if not_before is not None:
        # The outbox's own back-off is for failures of the handler; a webhook's schedule is its own.
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=not_before)
    return message


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead a signed request anywhere, including inside our network: count it as a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def webhook_sign(*, secret: str, event_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    """Return the Standard Webhooks headers for one request."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
    }


def webhook_send(*, url: str, secret: str, event_id: str, body: str) -> SendResult:
    """POST one signed event and report what happened (never raises for network trouble).

    Never inside a transaction: the request may take up to ``TIMEOUT_SECONDS``.
    """
    outbox_assert_outside_transactions()
    # The signature's timestamp is checked against the receiver's wall clock (replay protection), so it
    # is the real time, not marketdesk's business clock, which tests and demos move.
    headers = webhook_sign(secret=secret, event_id=event_id, body=body, at=dt.datetime.now(dt.UTC))
    headers.update({"Content-Type": "application/json", "User-Agent": "marketdesk-webhooks/1"})
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        if settings.PRODUCTION:
            webhook_url_validate(url)  # again at send time: DNS may have changed since registration
        # The scheme is http(s) only: webhook_url_validate checked it when the endpoint was registered.
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
        error = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError, DomainValidationError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    return SendResult(status_code=status, error=error[:_ERROR_LIMIT], duration_ms=duration)


def _current(wanted: dict[str, Any]) -> WebhookDelivery | None:
    """Return the delivery, locked, if this message's attempt is still the one due, else None.

    A message of an earlier round, or a duplicate of an attempt already made, is stale.
    """
    delivery = (
        WebhookDelivery.objects.select_for_update().filter(pk=wanted.get("delivery_id", 0)).first()
    )  # 0: no such row
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    if wanted.get("round") != delivery.round or wanted.get("attempt") != delivery.attempts + 1:
        return None
    return delivery


def _on_this_attempt(delivery: WebhookDelivery, wanted: dict[str, Any]) -> bool:
    """Whether the delivery still waits on the attempt this message began (no new round since, not settled)."""
    return (
        delivery.status == DeliveryStatus.PENDING
        and wanted.get("round") == delivery.round
        and wanted.get("attempt") == delivery.attempts
    )


def _move_on(delivery: WebhookDelivery, *, ok: bool, attempted_at: dt.datetime) -> None:
    """After an attempt: delivered, failed for good, or the next attempt queued per the schedule."""
    fields = ["last_status_code", "last_error", "delivered_at", "next_attempt_at"]
    if ok:
        delivery.delivered_at = attempted_at
        delivery.next_attempt_at = None
        transition(delivery, to=DeliveryStatus.DELIVERED, actor=Actor.system(), fields=fields)
    elif delivery.round_attempts > len(WEBHOOK_RETRY_SCHEDULE):
        delivery.next_attempt_at = None
        transition(delivery, to=DeliveryStatus.FAILED, actor=Actor.system(), fields=fields)
    else:
        delivery.next_attempt_at = attempted_at + dt.timedelta(
            seconds=WEBHOOK_RETRY_SCHEDULE[delivery.round_attempts - 1]
        )
        delivery.save(update_fields=fields)
        _queue_attempt(delivery, not_before=delivery.next_attempt_at)


def _settle_unfinished(message: OutboxMessage, wanted: dict[str, Any]) -> None:
    """Mark an attempt this message's stopped worker left "sending" as of unknown outcome; retry if it was due."""
    unfinished = WebhookAttempt.objects.filter(
        delivery_id=wanted.get("delivery_id", 0), outbox_message_id=message.pk, outcome=AttemptOutcome.SENDING
    )
    first = unfinished.first()
    if first is None:
        return
    # The delivery first, then its attempts: the order the record step locks them in.
    delivery = WebhookDelivery.objects.select_for_update().get(pk=first.delivery_id)
    unfinished.update(outcome=AttemptOutcome.UNKNOWN, error=OUTCOME_UNKNOWN)
    if not _on_this_attempt(delivery, wanted):
        return  # a new round started meanwhile; it sends on its own
    delivery.last_status_code = None
    delivery.last_error = OUTCOME_UNKNOWN
    _move_on(delivery, ok=False, attempted_at=first.attempted_at)


def _begin_attempt(message: OutboxMessage) -> None:
    """In the claim's transaction: settle what a stopped worker left, then log this attempt as being sent."""
    wanted = dict(message.payload)
    _settle_unfinished(message, wanted)
    delivery = _current(wanted)
    if delivery is None:
        return  # stale: nothing will be sent
    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    if not endpoint.active or endpoint.deleted_at is not None:
        delivery.last_error = "endpoint disabled"
        delivery.next_attempt_at = None
        transition(delivery, to=DeliveryStatus.FAILED, actor=Actor.system(), fields=["last_error", "next_attempt_at"])
        return
    WebhookAttempt.objects.create(delivery=delivery, attempted_at=clock.now(), outbox_message_id=message.pk)
    # Counted now, before the send: a worker that dies after it has still counted the request it made.
    delivery.attempts += 1
    delivery.round_attempts += 1
    delivery.save(update_fields=["attempts", "round_attempts"])


def _outcome(result: SendResult) -> str:
    if result.ok:
        return AttemptOutcome.DELIVERED
    return AttemptOutcome.NO_ANSWER if result.status_code is None else AttemptOutcome.REFUSED


def _record_attempt(wanted: dict[str, Any], attempt_id: int, result: SendResult) -> None:
    """Complete the attempt's log row and, if the delivery still waits on it, move the delivery on."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=wanted["delivery_id"])
    attempt = WebhookAttempt.objects.select_for_update().get(pk=attempt_id)
    attempt.outcome = _outcome(result)
    attempt.status_code = result.status_code
    attempt.error = result.error
    attempt.duration_ms = result.duration_ms
    attempt.save(update_fields=["outcome", "status_code", "error", "duration_ms"])
    if not _on_this_attempt(delivery, wanted):
        return  # an administrator started a new round while we were sending: the request is logged, no more
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    _move_on(delivery, ok=result.ok, attempted_at=attempt.attempted_at)


@outbox_handler(TOPIC, queue="webhooks", begin=_begin_attempt)
def _deliver(message: OutboxMessage) -> Record | None:
    """Make the attempt the claim began (outside any transaction); return the writes that complete its log row."""
    attempt = (
        WebhookAttempt.objects.select_related("delivery__endpoint")
        .filter(outbox_message_id=message.pk, outcome=AttemptOutcome.SENDING)
        .first()
    )
    if attempt is None:
        return None  # stale, or the endpoint was disabled: the claim wrote what there was to write
    delivery = attempt.delivery
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    result = webhook_send(url=endpoint.url, secret=endpoint.secret, event_id=delivery.event_id, body=body)
    return partial(_record_attempt, dict(message.payload), attempt.pk, result)
