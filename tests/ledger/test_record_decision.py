"""ledger_record_decision: one set of entries per decision, never more refunded than was paid."""

from __future__ import annotations

import pytest
from django.db import transaction

from marketdesk.core.errors import DomainValidationError
from marketdesk.core.models import OutboxMessage
from marketdesk.core.money import CurrencyMismatch, Money
from marketdesk.ledger import services
from marketdesk.ledger.models import InstructionStatus, LedgerEntry
from marketdesk.ledger.services import DecisionAlreadyRecorded, EntrySpec, ledger_record_decision
from marketdesk.notifications.models import WebhookDelivery
from marketdesk.orders.models import PaymentStatus
from tests import factories

pytestmark = pytest.mark.django_db


def refund(amount: int, *, payer: str = "seller", currency: str = "GBP") -> EntrySpec:
    return EntrySpec(kind="refund", payer=payer, amount=Money(amount, currency), reason="item_not_received")


def record(order, entries, *, key: str = "case-1:decision-1", actor=None, case_id: int | None = 1):
    return ledger_record_decision(
        decision_key=key, order=order, case_id=case_id, entries=entries, actor=actor or services.Actor.system()
    )


def rows() -> list[tuple]:
    return list(LedgerEntry.objects.order_by("id").values_list("decision_key", "kind", "payer", "amount_minor"))


def test_a_decision_records_its_entries_and_instructs_each_refund(paid_order, endpoint, operator, frozen_clock):
    compensation = EntrySpec(kind="compensation", payer="platform", amount=Money(500, "GBP"), reason="goodwill")

    entries = record(paid_order, [refund(2500), compensation], actor=services.Actor.for_user(operator))

    assert rows() == [
        ("case-1:decision-1", "refund", "seller", 2500),
        ("case-1:decision-1", "compensation", "platform", 500),
    ]
    assert [(e.instruction_status, e.created_by_user, e.created_by_role) for e in entries] == [
        (InstructionStatus.INSTRUCTED, operator, "operator"),
        (InstructionStatus.NOT_APPLICABLE, operator, "operator"),
    ]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event_type, delivery.event_id, delivery.payload["data"]["amount_minor"]) == (
        "refund.instructed",
        f"msg_refund_{entries[0].pk}",
        2500,
    )
    assert OutboxMessage.objects.filter(topic="webhook.deliver").count() == 1


def test_a_repeated_decision_returns_the_first_set_and_writes_nothing(paid_order, endpoint):
    first = record(paid_order, [refund(1000)])

    again = record(paid_order, [refund(1000)])
    third = record(paid_order, [refund(1000)])

    assert [e.pk for e in again] == [e.pk for e in third] == [e.pk for e in first]
    assert (len(rows()), WebhookDelivery.objects.count(), OutboxMessage.objects.count()) == (1, 1, 1)


def test_a_raced_decision_that_hits_the_constraint_returns_the_winners_set(paid_order, endpoint, monkeypatch):
    winner = record(paid_order, [refund(1000)])
    # The loser looked before the winner committed: it saw nothing and went on to insert.
    looks = iter([[], *([services._existing("case-1:decision-1")] * 2)])
    monkeypatch.setattr(services, "_existing", lambda key: next(looks))

    loser = record(paid_order, [refund(1000)])

    assert [e.pk for e in loser] == [e.pk for e in winner]
    assert (len(rows()), WebhookDelivery.objects.count()) == (1, 1)


def test_a_raced_decision_with_other_content_is_a_conflict(paid_order, monkeypatch):
    record(paid_order, [refund(1000)])
    looks = iter([[], services._existing("case-1:decision-1")])
    monkeypatch.setattr(services, "_existing", lambda key: next(looks))

    with pytest.raises(DecisionAlreadyRecorded):
        record(paid_order, [refund(900)])


@pytest.mark.parametrize(
    "change",
    [
        {"entries": [refund(900)]},
        {"entries": [refund(1000, payer="platform")]},
        {"entries": [refund(1000), EntrySpec("compensation", "platform", Money(100, "GBP"), "goodwill")]},
        {"case_id": 2},
    ],
    ids=["amount", "payer", "extra-entry", "case"],
)
def test_the_same_decision_key_with_other_content_is_a_conflict(paid_order, change):
    record(paid_order, [refund(1000)])
    arguments = {"entries": [refund(1000)], "case_id": 1, **change}

    with pytest.raises(DecisionAlreadyRecorded) as caught:
        record(paid_order, arguments["entries"], case_id=arguments["case_id"])

    assert (caught.value.status, caught.value.code, len(rows())) == (409, "decision_already_recorded", 1)


def test_a_refund_above_what_was_paid_is_refused_naming_amount_and_writes_nothing(paid_order, endpoint):
    record(paid_order, [refund(2000)], key="d1")

    with pytest.raises(DomainValidationError) as caught:
        record(paid_order, [refund(501)], key="d2")

    assert caught.value.field == "amount"
    assert (len(rows()), WebhookDelivery.objects.count()) == (1, 1)


def test_refunds_up_to_exactly_what_was_captured_are_recorded(paid_order):
    factories.PaymentFactory(order=paid_order, amount_minor=700, status=PaymentStatus.AUTHORIZED)
    record(paid_order, [refund(2000)], key="d1")

    record(paid_order, [refund(500, payer="platform")], key="d2")

    with pytest.raises(DomainValidationError):
        record(paid_order, [refund(1)], key="d3")
    # The platform's refund of a parcel without tracking is recovered from the seller (a recovery is no refund).
    assert len(rows()) == 3


def test_compensation_is_not_capped_by_the_payment(paid_order):
    entries = record(paid_order, [EntrySpec("compensation", "platform", Money(10_000, "GBP"), "late_delivery")])

    assert [e.amount_minor for e in entries] == [10_000]


def test_an_amount_in_another_currency_is_refused(paid_order):
    with pytest.raises(CurrencyMismatch) as caught:
        record(paid_order, [refund(1000, currency="EUR")])

    assert (caught.value.field, rows()) == ("amount", [])


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (EntrySpec("refund", "seller", Money(0, "GBP"), "x"), "amount"),
        (EntrySpec("refund", "seller", Money(-5, "GBP"), "x"), "amount"),
        (EntrySpec("bonus", "seller", Money(5, "GBP"), "x"), "kind"),
        (EntrySpec("refund", "buyer", Money(5, "GBP"), "x"), "payer"),
        (EntrySpec("refund", "seller", Money(5, "GBP"), ""), "reason"),
    ],
    ids=["zero", "negative", "kind", "payer", "reason"],
)
def test_invalid_entries_are_refused_naming_the_field(paid_order, spec, field):
    with pytest.raises(DomainValidationError) as caught:
        record(paid_order, [spec])

    assert (caught.value.field, rows()) == (field, [])


def test_a_rolled_back_decision_leaves_no_entry_and_no_webhook(paid_order, endpoint):
    def decide_then_fail() -> None:
        with transaction.atomic():
            record(paid_order, [refund(1000)])
            raise RuntimeError("the decision failed after recording")

    with pytest.raises(RuntimeError):
        decide_then_fail()

    assert (rows(), WebhookDelivery.objects.count(), OutboxMessage.objects.count()) == ([], 0, 0)
