"""Helpers of the API tests that are not fixtures."""

from __future__ import annotations

from typing import Any

from django.test import Client

ORDER_PAYLOAD: dict[str, Any] = {
    "buyer": {"external_id": "B-100", "name": "Ada Buyer", "email": "ada@example.test"},
    "shop": {"external_id": "S-100", "name": "Wool & Co"},
    "currency": "GBP",
    "total_minor": 5450,
    "shipping_minor": 450,
    "placed_at": "2026-11-20T09:30:00+00:00",
    "status": "paid",
    "lines": [
        {"external_id": "L1", "title": "Wool scarf", "quantity": 2, "unit_price_minor": 1500, "total_minor": 3000},
        {"external_id": "L2", "title": "Beanie", "quantity": 1, "unit_price_minor": 2000, "total_minor": 2000},
    ],
    "payments": [
        {
            "external_id": "P1",
            "method": "card",
            "amount_minor": 5450,
            "currency": "GBP",
            "status": "captured",
            "paid_at": "2026-11-20T09:31:00+00:00",
        }
    ],
}


def session_client(user: Any, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def authorization_client(header: str) -> Client:
    """A client that sends this ``Authorization`` header with every request."""
    return Client(headers={"Authorization": header})


PROBLEM = "application/problem+json"


def put_order(client: Client, external_id: str, body: Any, **extra: Any):
    return client.put(f"/api/v1/orders/{external_id}", body, content_type="application/json", **extra)
