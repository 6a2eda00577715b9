"""A marketplace driving marketdesk through the balancer, as its back office would (HTTP + its API key)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from marketdesk.accounts.services import api_key_create
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import Notification, WebhookAttempt, WebhookDelivery
from marketdesk.orders.models import Marketplace, Order
from tests import factories
from tests.api.helpers import ORDER_PAYLOAD


def outbox_undelivered() -> int:
    """Side effects (webhooks, mail) not delivered yet, of every marketplace."""
    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()


def call(base_url: str, method: str, path: str, *, key: str = "", body: Any = None) -> tuple[int, Any]:
    """One JSON request, repeated with its Idempotency-Key while its fate is unknown.

    That is what a client is told to do: repeat while the API says the first is still running (409
    idempotency_in_progress: when a web process dies mid-request, the balancer sends the request to the
    other while the first one's transaction is being rolled back), and when the answer never came whole
    (the process died after its headers: a cut answer, or the balancer's 502). Return the status and
    decoded body (4xx/5xx included).
    """
    headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    deadline = time.monotonic() + 30
    while True:
        status, answer = _send(base_url, method, path, headers, data)
        in_progress = status == 409 and isinstance(answer, dict) and answer.get("code") == "idempotency_in_progress"
        unknown = status in (0, 502)  # no answer, a cut one, or the balancer's when a process died mid-answer
        if not (in_progress or unknown) or time.monotonic() > deadline:
            return status, answer
        time.sleep(0.2)


def _send(base_url: str, method: str, path: str, headers: dict[str, str], data: bytes | None) -> tuple[int, Any]:
    url = f"{base_url}{path}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http only
            return response.status, _decoded(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _decoded(error.read())
    except (OSError, http.client.HTTPException) as error:  # no answer, or a cut one: status 0 with the error
        return 0, repr(error)


def _decoded(body: bytes) -> Any:
    """JSON from marketdesk; the balancer's own error pages are HTML, kept as text."""
    try:
        return json.loads(body or b"null")
    except ValueError:
        return body.decode(errors="replace")[:500]


@dataclass
class Market:
    base_url: str
    marketplace: Marketplace
    key: str

    @classmethod
    def create(cls, base_url: str) -> Market:
        marketplace = factories.MarketplaceFactory()
        _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="back office")
        return cls(base_url=base_url, marketplace=marketplace, key=raw)

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return call(self.base_url, method, f"/api/v1{path}", key=self.key, body=body)

    def register_endpoint(self, url: str) -> str:
        """Register a webhook endpoint; return its secret."""
        status, body = self.api("POST", "/webhooks/endpoints", {"url": url, "event_types": []})
        assert status == 201, body
        return str(body["secret"])

    def order_with_case(self, external_id: str) -> int:
        """Upsert a shipped order, record the buyer's contact days ago, open a case; return its id."""
        status, body = self.api(
            "PUT",
            f"/orders/{external_id}",
            {**ORDER_PAYLOAD, "status": "shipped", "estimated_delivery_at": "2026-11-25T12:00:00+00:00"},
        )
        assert status in (200, 201), body
        order = Order.objects.get(marketplace=self.marketplace, external_id=external_id)
        if not order.shop.memberships.exists():  # a seller to be told by email of the case
            factories.MembershipFactory(
                shop=order.shop, user__marketplace=self.marketplace, user__email=f"seller@{self.marketplace.slug}.test"
            )
        with clock.frozen(clock.now() - dt.timedelta(days=20)):
            seller_contact_record(actor=Actor.marketplace(marketplace_id=self.marketplace.pk), order=order)
        status, body = self.api(
            "POST", "/cases", {"order": external_id, "case_type": "item_not_received", "description": "Never came."}
        )
        assert status == 201, body
        return int(body["id"])

    def post_message(self, external_id: str, text: str) -> None:
        status, body = self.api("POST", f"/orders/{external_id}/messages", {"body": text})
        assert status == 201, body

    def webhook_ids(self) -> Counter[str]:
        """Every webhook marketdesk has to deliver to this marketplace, by id (each once)."""
        return Counter(
            WebhookDelivery.objects.filter(endpoint__marketplace=self.marketplace).values_list("event_id", flat=True)
        )

    def pending_webhooks(self) -> int:
        return WebhookDelivery.objects.filter(endpoint__marketplace=self.marketplace, delivered_at__isnull=True).count()

    def emailed(self) -> Counter[str]:
        """The Message-ID of every notification of this marketplace's people marked emailed (each once)."""
        pks = Notification.objects.filter(user__marketplace=self.marketplace, emailed_at__isnull=False)
        return Counter(f"<marketdesk.notification.{pk}@127.0.0.1>" for pk in pks.values_list("pk", flat=True))

    def failed_attempts(self) -> int:
        return WebhookAttempt.objects.filter(delivery__endpoint__marketplace=self.marketplace, status_code=None).count()

    def doubled_ledger_entries(self) -> int:
        keys = Counter(
            LedgerEntry.objects.filter(order__marketplace=self.marketplace).values_list("decision_key", "kind", "payer")
        )
        return sum(1 for count in keys.values() if count > 1)
