"""Return services: requesting within the window, the seller's decision, receipt, inspection and refunds."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import Notification
from marketdesk.returns.models import RefundPayer, ReturnReason, ShippingPayer, ShopReturnPolicy
from marketdesk.returns.services.approval import return_approve, return_cancel, return_escalate, return_refuse
from marketdesk.returns.services.inspection import NotReceivedYet
from marketdesk.returns.services.receipt import ReturnCodeUnknown, return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.services.windows import ReturnNotAllowed
from marketdesk.returns.states import ReturnStatus
from tests.returns.conftest import (
    MINUTE,
    NOW,
    REMIND_AT,
    SELLER_DUE,
    SHIP_BY,
    WINDOW_CLOSES,
    event_types,
    fresh,
    inspect_all,
    webhooks,
)

pytestmark = pytest.mark.django_db


def ledger(order) -> list[tuple[str, str, int, str]]:
    return list(
        LedgerEntry.objects.filter(order=order)
        .order_by("id")
        .values_list("kind", "payer", "amount_minor", "decision_key")
    )


# Requesting


def test_an_in_policy_request_is_approved_at_once_with_its_ship_by_date(approved, endpoint):
    assert (approved.status, approved.ship_by, approved.remind_at) == (ReturnStatus.APPROVED, SHIP_BY, REMIND_AT)
    assert approved.shipping_paid_by == ShippingPayer.BUYER
    assert approved.window_closes_at == WINDOW_CLOSES
    assert event_types(approved) == ["return.requested", "return.approved"]
    assert approved.code.startswith("RA-")
    assert len(approved.code) == 11


def test_a_request_for_another_reason_waits_for_the_seller_three_business_days(requested, seller):
    assert (requested.status, requested.seller_due_at) == (ReturnStatus.REQUESTED, SELLER_DUE)
    assert list(Notification.objects.filter(user=seller).values_list("kind", flat=True)) == ["return.requested"]


def test_the_seller_pays_the_postage_when_the_item_is_damaged(order, hat, buyer_actor, at_now, photo):
    ret = return_request(
        actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.DAMAGED, photo_ids=[photo.pk]
    )
    assert (ret.status, ret.shipping_paid_by) == (ReturnStatus.APPROVED, ShippingPayer.SELLER)


def test_a_damaged_item_needs_a_photo(order, hat, buyer_actor, at_now):
    with pytest.raises(DomainValidationError) as refused:
        return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.DAMAGED)
    assert refused.value.field == "photos"


def test_a_request_on_the_last_moment_of_the_window_is_accepted(order, hat, buyer_actor, at_now):
    at_now.at = WINDOW_CLOSES
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    assert ret.status == ReturnStatus.APPROVED


def test_a_request_after_the_window_is_refused_with_the_date_it_closed(order, hat, buyer_actor, at_now):
    at_now.at = WINDOW_CLOSES + MINUTE
    with pytest.raises(ReturnNotAllowed) as refused:
        return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    assert str(refused.value.message) == "The time to return items of this order ended on Sun 20 Dec, 12:00."
    assert refused.value.extra == {"closes_at": WINDOW_CLOSES.isoformat()}


def test_the_sellers_longer_window_applies(order, hat, shop, buyer_actor, at_now):
    ShopReturnPolicy.objects.create(shop=shop, window_days=60, auto_approve_reasons=["changed_mind"])
    at_now.at = WINDOW_CLOSES + dt.timedelta(days=30)
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    assert ret.window_closes_at == WINDOW_CLOSES + dt.timedelta(days=30)


def test_the_sellers_policy_decides_which_reasons_wait(order, hat, shop, buyer_actor, at_now):
    ShopReturnPolicy.objects.create(shop=shop, window_days=30, auto_approve_reasons=[])
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    assert ret.status == ReturnStatus.REQUESTED


def test_an_undelivered_order_cannot_be_returned(order, hat, buyer_actor, at_now):
    type(order).objects.filter(pk=order.pk).update(delivered_at=None)
    with pytest.raises(ReturnNotAllowed):
        return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)


def test_more_than_the_ordered_quantity_is_refused(order, scarf, buyer_actor, at_now):
    with pytest.raises(DomainValidationError) as refused:
        return_request(actor=buyer_actor, order=order, lines={scarf.pk: 3}, reason=ReturnReason.CHANGED_MIND)
    assert str(refused.value.message) == "You ordered 2 of Wool scarf; you cannot return more."


def test_a_line_already_returned_is_refused(approved, order, scarf, buyer_actor):
    with pytest.raises(DomainValidationError) as refused:
        return_request(actor=buyer_actor, order=order, lines={scarf.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    assert str(refused.value.message) == "Wool scarf is already being returned or was returned."


def test_what_is_left_of_a_partly_returned_line_can_be_returned(order, scarf, buyer_actor, at_now):
    return_request(actor=buyer_actor, order=order, lines={scarf.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    with pytest.raises(DomainValidationError) as refused:
        return_request(actor=buyer_actor, order=order, lines={scarf.pk: 2}, reason=ReturnReason.CHANGED_MIND)
    assert str(refused.value.message) == "Only 1 of Wool scarf can still be returned."


def test_a_line_of_a_cancelled_return_can_be_returned_again(approved, order, scarf, buyer_actor):
    return_cancel(actor=buyer_actor, ret=approved)
    again = return_request(actor=buyer_actor, order=order, lines={scarf.pk: 2}, reason=ReturnReason.CHANGED_MIND)
    assert again.status == ReturnStatus.APPROVED


def test_a_line_of_another_order_is_refused(order, buyer_actor, at_now, marketplace, shop, buyer):
    from tests import factories

    other = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)
    with pytest.raises(DomainValidationError):
        return_request(
            actor=buyer_actor, order=order, lines={other.lines.get().pk: 1}, reason=ReturnReason.CHANGED_MIND
        )


def test_nothing_chosen_is_refused(order, buyer_actor, at_now):
    with pytest.raises(DomainValidationError) as refused:
        return_request(actor=buyer_actor, order=order, lines={}, reason=ReturnReason.CHANGED_MIND)
    assert refused.value.field == "lines"


def test_another_buyer_cannot_request_a_return(order, hat, other_buyer, at_now):
    from marketdesk.core.actors import Actor

    with pytest.raises(NotFound):
        return_request(
            actor=Actor.for_user(other_buyer), order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND
        )


def test_a_seller_cannot_request_a_return(order, hat, seller_actor, at_now):
    with pytest.raises(PermissionDenied):
        return_request(actor=seller_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)


# The seller's decision


def test_the_seller_approves_a_waiting_request(requested, seller_actor, buyer):
    ret = return_approve(actor=seller_actor, ret=requested)
    assert (ret.status, ret.decided_at) == (ReturnStatus.APPROVED, NOW)
    assert "return.approved" in Notification.objects.filter(user=buyer).values_list("kind", flat=True)


def test_the_seller_refuses_with_a_reason(requested, seller_actor, endpoint):
    ret = return_refuse(actor=seller_actor, ret=requested, reason="Hats are final sale.")
    assert (ret.status, ret.refusal_reason) == (ReturnStatus.REFUSED, "Hats are final sale.")
    assert ("return.refused", f"return-{ret.pk}-refused") in webhooks()


def test_a_refusal_needs_a_reason(requested, seller_actor):
    with pytest.raises(DomainValidationError):
        return_refuse(actor=seller_actor, ret=requested, reason="  ")
    assert fresh(requested).status == ReturnStatus.REQUESTED


def test_another_shops_seller_cannot_decide(requested, other_seller_actor):
    with pytest.raises(NotFound):
        return_approve(actor=other_seller_actor, ret=requested)


def test_a_refusal_is_escalated_to_a_case(requested, seller_actor, buyer_actor, at_now):
    return_refuse(actor=seller_actor, ret=requested, reason="Hats are final sale.")
    at_now.advance(dt.timedelta(days=2))
    ret = return_escalate(actor=buyer_actor, ret=requested)
    assert ret.status == ReturnStatus.ESCALATED
    assert ret.escalated_case.reason_detail == "return_refused"
    assert "Hats are final sale." in ret.escalated_case.description


def test_an_approved_return_cannot_be_escalated(approved, buyer_actor):
    with pytest.raises(Conflict):
        return_escalate(actor=buyer_actor, ret=approved)


# Receipt


def test_the_seller_records_receipt_by_the_scanned_authorization(approved, seller_actor, endpoint):
    ret = return_receive(actor=seller_actor, code=f"MDRA:{approved.code}")
    assert (ret.status, ret.received_at) == (ReturnStatus.RECEIVED, NOW)
    assert ret.refund_due_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # Thu + 2 business days
    assert ("return.received", f"return-{ret.pk}-received") in webhooks()


def test_a_typed_code_is_read_whatever_its_case(approved, seller_actor):
    assert return_receive(actor=seller_actor, code=f"  {approved.code.lower()} ").status == ReturnStatus.RECEIVED


def test_a_shipped_return_is_received(approved, buyer_actor, seller_actor):
    return_mark_shipped(actor=buyer_actor, ret=approved, tracking_number="RR123456789GB")
    assert return_receive(actor=seller_actor, code=approved.code).tracking_number == "RR123456789GB"


def test_a_double_submitted_receipt_changes_nothing(received, seller_actor, at_now):
    at_now.advance(dt.timedelta(hours=1))
    again = return_receive(actor=seller_actor, code=received.code)
    assert (again.received_at, event_types(again).count("return.received")) == (NOW, 1)


def test_the_code_of_another_sellers_return_is_refused(approved, other_seller_actor):
    with pytest.raises(ReturnCodeUnknown) as refused:
        return_receive(actor=other_seller_actor, code=approved.code)
    assert str(refused.value.message) == f"None of your returns has the code {approved.code}."
    assert fresh(approved).status == ReturnStatus.APPROVED


def test_something_that_is_not_a_code_is_refused(seller_actor):
    with pytest.raises(DomainValidationError):
        return_receive(actor=seller_actor, code="hello")


def test_a_refused_return_cannot_be_received(requested, seller_actor):
    return_refuse(actor=seller_actor, ret=requested, reason="No.")
    with pytest.raises(Conflict):
        return_receive(actor=seller_actor, code=requested.code)


def test_the_buyer_cannot_record_receipt(approved, buyer_actor):
    with pytest.raises(PermissionDenied):
        return_receive(actor=buyer_actor, code=approved.code)


# Inspection and refunds


def test_inspection_of_an_unreceived_return_is_refused(approved, seller_actor):
    with pytest.raises(NotReceivedYet):
        inspect_all(seller_actor, approved)


def test_full_acceptance_refunds_the_seller_once(received, seller_actor, order, endpoint):
    ret = inspect_all(seller_actor, received)
    assert (ret.status, ret.refund_minor, ret.refund_paid_by) == (ReturnStatus.REFUNDED, 5000, RefundPayer.SELLER)
    assert ledger(order) == [("refund", "seller", 5000, f"return:{ret.pk}:refund")]
    assert sorted(w for w in webhooks() if w[0] in ("return.refunded", "refund.instructed")) == [
        ("refund.instructed", f"msg_refund_{LedgerEntry.objects.get().pk}"),
        ("return.refunded", f"return-{ret.pk}-refunded"),
    ]
    assert event_types(ret)[-2:] == ["return.inspected", "return.refunded"]


def test_partial_acceptance_refunds_part_with_the_reason(received, seller_actor, order):
    ret = inspect_all(seller_actor, received, accepted=1, reason="One scarf was worn.")
    assert (ret.refund_minor, ret.partial_reason) == (2500, "One scarf was worn.")
    assert ledger(order) == [("refund", "seller", 2500, f"return:{ret.pk}:refund")]


def test_partial_acceptance_needs_a_reason(received, seller_actor, order):
    with pytest.raises(DomainValidationError) as refused:
        inspect_all(seller_actor, received, accepted=1)
    assert refused.value.field == "partial_reason"
    assert (fresh(received).status, ledger(order)) == (ReturnStatus.RECEIVED, [])


def test_nothing_accepted_closes_without_refund(received, seller_actor, order):
    ret = inspect_all(seller_actor, received, accepted=0, reason="Both were used.")
    assert (ret.status, ledger(order)) == (ReturnStatus.CLOSED, [])


def test_a_settled_return_cannot_be_inspected_again(received, seller_actor, order):
    inspect_all(seller_actor, received)
    with pytest.raises(Conflict):
        inspect_all(seller_actor, received)
    assert len(ledger(order)) == 1
