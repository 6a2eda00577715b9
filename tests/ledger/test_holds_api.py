"""The ledger API's payout holds: the marketplace reads its own, a page at a time, nobody else does."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core import clock
from marketdesk.core.money import Money
from marketdesk.ledger.models import PayoutHold
from marketdesk.ledger.payouts import payout_hold, payout_release
from tests import factories

pytestmark = pytest.mark.django_db

HOLDS = "/api/v1/ledger/holds"
AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def holds(paid_order, marketplace, shop, buyer) -> list[PayoutHold]:
    """Three holds, an hour apart: a case on the paid order (later released, 15.00 refunded), then two returns."""
    other = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)
    made = []
    with clock.frozen(AT) as at:
        made.append(payout_hold(order=paid_order, reason_type="case", reason_id=11, amount=Money(2500, "GBP")))
        at.advance(dt.timedelta(hours=1))
        made.append(payout_hold(order=other, reason_type="return", reason_id=12, amount=Money(700, "GBP")))
        at.advance(dt.timedelta(hours=1))
        made.append(payout_hold(order=paid_order, reason_type="return", reason_id=13, amount=Money(900, "GBP")))
        payout_release(reason_type="case", reason_id=11, kept_minor=1500)
    return made


def test_the_marketplace_lists_its_holds_newest_first(key_client, holds, paid_order, shop):
    response = key_client.get(HOLDS)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(h["reason"], h["amount_minor"], h["status"]) for h in items] == [
        ({"type": "return", "id": 13}, 900, "held"),
        ({"type": "return", "id": 12}, 700, "held"),
        ({"type": "case", "id": 11}, 2500, "released"),
    ]
    assert items[2] == {
        "id": holds[0].pk,
        "order": paid_order.external_id,
        "shop": shop.external_id,
        "reason": {"type": "case", "id": 11},
        "status": "released",
        "amount_minor": 2500,
        "currency": "GBP",
        "held_at": "2026-12-01T09:00:00Z",
        "released_at": "2026-12-01T11:00:00Z",
        "released_minor": 1000,
        "kept_minor": 1500,
    }


def test_the_list_filters_by_order_and_status(key_client, holds, paid_order):
    by_order = key_client.get(HOLDS, {"order": paid_order.external_id}).json()["items"]
    held = key_client.get(HOLDS, {"status": "held"}).json()["items"]

    assert [h["reason"]["id"] for h in by_order] == [13, 11]
    assert [h["reason"]["id"] for h in held] == [13, 12]


def test_the_list_pages_with_a_cursor_in_a_constant_number_of_queries(key_client, holds, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        first = key_client.get(HOLDS, {"limit": 2}).json()
    with django_assert_max_num_queries(4):
        second = key_client.get(HOLDS, {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [h["reason"]["id"] for h in first["items"] + second["items"]] == [13, 12, 11]
    assert second["next_cursor"] is None


def test_an_unknown_status_is_a_problem_naming_the_field(key_client, holds):
    response = key_client.get(HOLDS, {"status": "frozen"})

    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert response.json()["errors"][0]["field"] == "status"


def test_another_marketplace_sees_no_holds(other_key_client, holds):
    response = other_key_client.get(HOLDS)

    assert (response.status_code, response.json()["items"]) == (200, [])


def test_listing_without_a_key_is_refused(anonymous_client, holds):
    assert anonymous_client.get(HOLDS).status_code == 401


def test_a_signed_in_operator_cannot_use_the_holds_list(client, operator, holds):
    client.force_login(operator)

    assert client.get(HOLDS).status_code == 401
