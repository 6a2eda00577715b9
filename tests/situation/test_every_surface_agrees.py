"""Acceptance: on every order of ``simulate --seed 1 --orders 300``, the order page, Get help, the returns page,
the hints and the API say the same thing about the order — its status, whether it is late and why, what the
buyer can do (hints, a return, buyer protection), until when, and the next deadline with whose clock it is.

Each surface is compared by what it shows (the rendered page, the API's JSON), one against another. The
marketplace is simulated once for the whole walk (about 10 s), and the walk is one test: 300 orders, five
requests each.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.orders.models import Order

EPOCH = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Said:
    """What one surface says about an order (None where that surface does not speak of it)."""

    status: str | None = None
    late: str | None = None
    hints: tuple[tuple[str, str], ...] | None = None
    return_allowed: bool | None = None
    return_until: dt.datetime | None = None
    protection: tuple[str, bool, dt.datetime | None, dt.datetime | None] | None = None
    next_deadline: tuple[str, bool, dt.datetime | None] | None = None


def _moment(iso: str | None) -> dt.datetime | None:
    # Pages carry moments to the second (the ``c`` date format); the API to the microsecond.
    return dt.datetime.fromisoformat(iso).replace(microsecond=0) if iso else None


def _fact(html: str, name: str) -> str:
    match = re.search(rf'<dd data-fact="{name}"(.*?)</dd>', html, re.S)
    assert match is not None, name
    return match.group(1)


def _attr(fragment: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', fragment)
    return match.group(1) if match else ""


def _card(html: str) -> Said:
    """What the situation card of a page says, and the hints listed under it."""
    late = re.search(r'data-testid="situation"[^>]*data-late="([^"]*)"', html)
    status = re.search(r'data-testid="situation"[^>]*data-status="([^"]*)"', html)
    assert late is not None
    assert status is not None
    ret = _fact(html, "return")
    protection = _fact(html, "protection")
    nxt = _fact(html, "next-deadline")
    label = re.search(r'<dd data-fact="status">\s*([^<·]*?)\s*(?:·|</dd>)', html)
    assert label is not None
    return Said(
        status=f"{status.group(1)}:{label.group(1)}",
        late=late.group(1),
        hints=tuple(sorted(re.findall(r'data-hint="([^"]+)"(?: data-cause="([^"]*)")?', html))),
        return_allowed=_attr(ret, "data-allowed") == "1",
        return_until=_moment(_attr(ret, "datetime")),
        protection=(
            _attr(protection, "data-case-type"),
            _attr(protection, "data-allowed") == "1",
            _moment(_attr(re.search(r'data-bound="opens"[^>]*', protection).group(0), "datetime"))
            if 'data-bound="opens"' in protection
            else None,
            _moment(_attr(re.search(r'data-bound="closes"[^>]*', protection).group(0), "datetime"))
            if 'data-bound="closes"' in protection
            else None,
        ),
        next_deadline=(_attr(nxt, "data-whose"), _attr(nxt, "data-paused") == "1", _moment(_attr(nxt, "datetime")))
        if "data-whose" in nxt
        else ("", False, None),
    )


def order_page_says(client: Client, order: Order) -> Said:
    response = client.get(reverse("web:order_detail", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    card = _card(html)
    returns_card = re.search(r'data-return-until="([^"]*)"', html)
    badge = re.search(
        r'<h1 class="page-title">.*?<span class="badge__dot" aria-hidden="true"></span>([^<]*)</span>', html, re.S
    )
    assert badge is not None
    # The returns card offers a return exactly when the situation card does, with the same date.
    assert (returns_card is not None) == card.return_allowed
    assert returns_card is None or _moment(returns_card.group(1)) == card.return_until
    assert card.status is not None
    assert card.status.split(":", 1)[1] == badge.group(1).strip()  # the badge and the card name one status
    return card


def get_help_says(client: Client, order: Order) -> Said:
    response = client.get(reverse("cases:get_help", args=[order.pk]))
    assert response.status_code == 200
    return _card(response.content.decode())


def returns_page_says(client: Client, order: Order) -> Said:
    response = client.get(reverse("returns:return_start", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    subtitle = re.search(r'<p class="page-subtitle" data-fact="return"(.*?)</p>', html, re.S)
    assert subtitle is not None
    allowed = _attr(subtitle.group(1), "data-allowed") == "1"
    assert ('name="lines_' in html or "qty-input" in html) == allowed  # the form is there exactly when allowed
    return Said(return_allowed=allowed, return_until=_moment(_attr(subtitle.group(1), "datetime")))


def api_says(client: Client, order: Order) -> Said:
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 200
    situation = response.json()["situation"]
    hints = client.get(f"/api/v1/orders/{order.external_id}/hints")
    assert hints.status_code == 200
    kind = "not_as_described" if situation["delivered_at"] else "item_not_received"
    (case,) = [c for c in situation["cases"] if c["case_type"] == kind]
    nxt = situation["next_deadline"]
    return Said(
        status=f"{situation['status']}:{situation['status_label']}",
        late=situation["late"]["cause"] if situation["late"] else "",
        hints=tuple(sorted((h["code"], h["cause"]) for h in hints.json())),
        return_allowed=situation["return_option"]["allowed"],
        return_until=_moment(situation["return_option"]["closes_at"]),
        protection=(kind, case["allowed"], _moment(case["opens_at"]), _moment(case["closes_at"])),
        next_deadline=(nxt["whose"], nxt["paused"], None if nxt["paused"] else _moment(nxt["due_at"]))
        if nxt
        else ("", False, None),
    )


def _same(a: Said, b: Said) -> list[str]:
    """The facts both surfaces speak of and tell differently."""
    return [
        f"{name}: {getattr(a, name)!r} != {getattr(b, name)!r}"
        for name in Said.__dataclass_fields__
        if getattr(a, name) is not None and getattr(b, name) is not None and getattr(a, name) != getattr(b, name)
    ]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_every_page_and_the_api_tell_the_same_story_about_every_simulated_order():
    call_command("simulate", "--seed", "1", "--orders", "300", "--quiet", "--now", EPOCH.isoformat())
    orders = list(Order.objects.select_related("buyer").order_by("pk"))
    clients = {order.buyer_id: _signed_in(order.buyer) for order in orders}

    with clock.frozen(EPOCH):
        from_api = [(order, api_says(clients[order.buyer_id], order)) for order in orders]
        told = [
            (order, api, surface, says(clients[order.buyer_id], order))
            for order, api in from_api
            for surface, says in (
                ("order page", order_page_says),
                ("Get help", get_help_says),
                ("returns page", returns_page_says),
            )
        ]

    disagreements = {
        f"{order.external_id} ({order.status}) {surface} vs API": found
        for order, api, surface, said in told
        if (found := _same(said, api))
    }
    assert dict(list(disagreements.items())[:15]) == {}
    # 300 generated orders and the 29 of the abuse cast (simulator/abuse.py), each telling one story too
    assert len(orders) == 329
    assert {api.late for _order, api, _surface, _said in told} >= {"", "not_shipped", "exception"}
