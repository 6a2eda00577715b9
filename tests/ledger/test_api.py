"""The ledger API: the marketplace reads its entries and acknowledges refunds, nobody else's."""

from __future__ import annotations

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.ledger.models import InstructionStatus, LedgerEntry
from marketdesk.ledger.services import EntrySpec, ledger_record_decision
from tests import factories

pytestmark = pytest.mark.django_db

ACK = "/api/v1/ledger/entries/{}/acknowledge"


@pytest.fixture
def entries(paid_order) -> list[LedgerEntry]:
    return ledger_record_decision(
        decision_key="case-7:decision",
        order=paid_order,
        case_id=7,
        entries=[
            EntrySpec("refund", "seller", Money(2000, "GBP"), "item_not_received"),
            EntrySpec("compensation", "platform", Money(300, "GBP"), "goodwill"),
        ],
        actor=Actor.system(),
    )


def test_the_marketplace_lists_its_entries_of_an_order(key_client, entries, paid_order, marketplace, shop, buyer):
    other = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)
    factories.PaymentFactory(order=other)
    ledger_record_decision(
        decision_key="elsewhere",
        order=other,
        case_id=None,
        entries=[EntrySpec("refund", "platform", Money(100, "GBP"), "damaged")],
        actor=Actor.system(),
    )

    response = key_client.get("/api/v1/ledger/entries", {"order": paid_order.external_id})

    assert response.status_code == 200
    body = response.json()
    assert [(e["kind"], e["amount_minor"], e["order"], e["case_id"]) for e in body["items"]] == [
        ("compensation", 300, paid_order.external_id, 7),
        ("refund", 2000, paid_order.external_id, 7),
    ]
    assert body["next_cursor"] is None


def test_the_list_pages_with_a_cursor_in_a_constant_number_of_queries(
    key_client, entries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        first = key_client.get("/api/v1/ledger/entries", {"limit": 1}).json()
    second = key_client.get("/api/v1/ledger/entries", {"limit": 1, "cursor": first["next_cursor"]}).json()

    assert [e["kind"] for e in first["items"] + second["items"]] == ["compensation", "refund"]
    assert second["next_cursor"] is None


def test_another_marketplace_sees_no_entries(other_key_client, entries):
    response = other_key_client.get("/api/v1/ledger/entries")

    assert (response.status_code, response.json()["items"]) == (200, [])


def test_listing_without_a_key_is_refused(anonymous_client, entries):
    assert anonymous_client.get("/api/v1/ledger/entries").status_code == 401


def test_the_marketplace_acknowledges_a_refund(key_client, entries, frozen_clock):
    response = key_client.post(ACK.format(entries[0].pk))

    assert response.status_code == 200
    assert (response.json()["instruction_status"], response.json()["acknowledged_at"]) == (
        "acknowledged",
        "2026-11-26T12:00:00Z",
    )
    entries[0].refresh_from_db()
    assert entries[0].instruction_status == InstructionStatus.ACKNOWLEDGED


def test_acknowledging_twice_changes_nothing(key_client, entries):
    first = key_client.post(ACK.format(entries[0].pk)).json()

    second = key_client.post(ACK.format(entries[0].pk))

    assert (second.status_code, second.json()["acknowledged_at"]) == (200, first["acknowledged_at"])


def test_a_compensation_cannot_be_acknowledged(key_client, entries):
    response = key_client.post(ACK.format(entries[1].pk))

    assert (response.status_code, response.json()["code"]) == (409, "conflict")


def test_another_marketplace_cannot_acknowledge_and_learns_nothing(other_key_client, entries):
    response = other_key_client.post(ACK.format(entries[0].pk))

    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    entries[0].refresh_from_db()
    assert entries[0].instruction_status == InstructionStatus.INSTRUCTED


def test_acknowledging_without_a_key_is_refused(anonymous_client, entries):
    assert anonymous_client.post(ACK.format(entries[0].pk)).status_code == 401


def test_a_signed_in_operator_cannot_use_the_ledger_api(client, operator, entries):
    client.force_login(operator)

    assert client.get("/api/v1/ledger/entries").status_code == 401


def test_an_acknowledgement_with_an_idempotency_key_is_replayed(key_client, entries):
    first = key_client.post(ACK.format(entries[0].pk), headers={"Idempotency-Key": "ack-1"})

    again = key_client.post(ACK.format(entries[0].pk), headers={"Idempotency-Key": "ack-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first


def test_each_entry_shows_how_a_refund_is_funded_and_why(key_client, entries):
    response = key_client.get("/api/v1/ledger/entries")

    assert response.status_code == 200
    assert [(e["kind"], e["funding"]) for e in response.json()["items"]] == [
        ("compensation", None),
        (
            "refund",
            {
                "source": "seller",
                "reason": "seller_pays",
                "reason_label": "The decision has the seller pay",
                "policy_version": entries[0].funding_policy_version,
                "carrier_recovered_minor": 0,
            },
        ),
    ]


def test_the_funding_reason_is_worded_in_the_requested_language(key_client, entries):
    response = key_client.get("/api/v1/ledger/entries", headers={"Accept-Language": "ru"})

    assert response.json()["items"][1]["funding"]["reason_label"] == "По решению платит продавец"
