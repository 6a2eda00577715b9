"""Return economics (issue 20): postage per reason, restocking fees, final sale, keep the item, reasons per line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.cases.models import CaseType
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.opening import case_open
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError
from marketdesk.core.policies import policy_publish
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import OrderLine
from marketdesk.returns.economics import FinalSale
from marketdesk.returns.models import Return, ReturnLine, ReturnReason, ShippingPayer
from marketdesk.returns.services.approval import return_approve
from marketdesk.returns.services.inspection import LineInspection, return_inspect
from marketdesk.returns.services.receipt import return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.states import ReturnStatus
from marketdesk.risk.models import BuyerRestriction, RiskKind, RiskSignal
from marketdesk.risk.states import RestrictionStatus
from tests import factories
from tests.api.headless import post_json
from tests.returns.conftest import NOW, client_as, event_types, fresh

pytestmark = pytest.mark.django_db

FEES = {"electronics": {"used": 2500, "opened": 1000}, "*": {"used": 1000}}


def publish(**changes: object) -> None:
    policy_publish(actor=Actor.system(), changes=changes)


def refunds(order) -> list[tuple[str, int]]:
    return list(LedgerEntry.objects.filter(order=order, kind="refund").values_list("payer", "amount_minor"))


def inspected(ret: Return, seller_actor: Actor, condition: str) -> Return:
    return_receive(actor=seller_actor, code=ret.code)
    results = {rl.pk: LineInspection(accepted=rl.quantity, condition=condition) for rl in ret.lines.all()}
    return return_inspect(actor=seller_actor, ret=ret, results=results)


@pytest.fixture
def charger(order) -> OrderLine:
    """A third line: a charger at 40.00, filed under electronics."""
    return OrderLine.objects.create(
        order=order,
        external_id="L3",
        title="Charger",
        quantity=1,
        unit_price_minor=4000,
        total_minor=4000,
        category="electronics",
    )


@pytest.fixture
def soap(order) -> OrderLine:
    """A fourth line: soap sold as final sale."""
    return OrderLine.objects.create(
        order=order,
        external_id="L4",
        title="Herbal soap",
        quantity=1,
        unit_price_minor=500,
        total_minor=500,
        final_sale=True,
    )


# Who pays the postage


@pytest.mark.parametrize(
    ("reason", "payer"),
    [
        (ReturnReason.CHANGED_MIND, ShippingPayer.BUYER),
        (ReturnReason.DOESNT_FIT, ShippingPayer.BUYER),
        (ReturnReason.WRONG_ITEM, ShippingPayer.SELLER),
    ],
)
def test_by_default_the_seller_pays_the_postage_only_for_their_own_fault(
    order, scarf, buyer_actor, at_now, photo, reason, payer
):
    # given the product's policy
    # when
    ret = return_request(actor=buyer_actor, order=order, lines={scarf.pk: 1}, reason=reason, photo_ids=[photo.pk])
    # then
    assert ret.shipping_paid_by == payer


def test_the_policy_names_who_pays_the_postage_per_reason(order, scarf, hat, buyer_actor, at_now):
    # given a marketplace where the seller pays when it does not fit
    publish(return_postage_payer={"doesnt_fit": "seller", "changed_mind": "buyer"})
    # when
    fits = return_request(actor=buyer_actor, order=order, lines={scarf.pk: 1}, reason=ReturnReason.DOESNT_FIT)
    mind = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # then
    assert (fits.shipping_paid_by, mind.shipping_paid_by) == (ShippingPayer.SELLER, ShippingPayer.BUYER)


def test_one_line_the_seller_pays_for_makes_the_seller_pay_the_parcel(order, scarf, hat, buyer_actor, at_now, photo):
    # given
    # when a scarf that does not fit comes back with a hat that arrived damaged
    ret = return_request(
        actor=buyer_actor,
        order=order,
        lines={scarf.pk: 1, hat.pk: 1},
        reason=ReturnReason.DOESNT_FIT,
        line_reasons={hat.pk: ReturnReason.DAMAGED},
        photo_ids=[photo.pk],
    )
    # then each line keeps its reason, and the parcel is the seller's to pay
    reasons = dict(ret.lines.values_list("order_line__external_id", "reason"))
    assert reasons == {"L1": ReturnReason.DOESNT_FIT, "L2": ReturnReason.DAMAGED}
    assert ret.shipping_paid_by == ShippingPayer.SELLER


def test_a_line_reason_that_is_not_a_reason_is_refused(order, scarf, buyer_actor, at_now):
    with pytest.raises(DomainValidationError) as refused:
        return_request(
            actor=buyer_actor,
            order=order,
            lines={scarf.pk: 1},
            reason=ReturnReason.DOESNT_FIT,
            line_reasons={scarf.pk: "bored"},
        )
    assert refused.value.field == "lines"
    assert Return.objects.count() == 0


# Restocking fee


def test_the_fee_of_the_category_and_condition_is_deducted_from_the_refund(
    order, charger, buyer_actor, seller_actor, at_now
):
    # given 25 % for used electronics, capped at 20 %
    publish(return_restocking_fee_bp=FEES, return_restocking_fee_max_bp=2000)
    ret = return_request(actor=buyer_actor, order=order, lines={charger.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # when the seller finds it used
    ret = inspected(ret, seller_actor, "used")
    # then 20 % of 40.00 is kept, 32.00 refunded
    line = ReturnLine.objects.get(ret=ret)
    assert (line.restocking_fee_minor, line.restocking_fee_currency) == (800, "GBP")
    assert (fresh(ret).status, fresh(ret).refund_minor) == (ReturnStatus.REFUNDED, 3200)
    assert refunds(order) == [("seller", 3200)]


def test_a_category_the_table_does_not_name_takes_the_any_row(order, scarf, buyer_actor, seller_actor, at_now):
    # given 10 % for any used item
    publish(return_restocking_fee_bp=FEES)
    ret = return_request(actor=buyer_actor, order=order, lines={scarf.pk: 2}, reason=ReturnReason.DOESNT_FIT)
    # when
    ret = inspected(ret, seller_actor, "used")
    # then 10 % of 50.00
    assert ReturnLine.objects.get(ret=ret).restocking_fee_minor == 500
    assert fresh(ret).refund_minor == 4500


def test_an_item_as_new_carries_no_fee(order, charger, buyer_actor, seller_actor, at_now):
    publish(return_restocking_fee_bp=FEES)
    ret = return_request(actor=buyer_actor, order=order, lines={charger.pk: 1}, reason=ReturnReason.CHANGED_MIND)

    ret = inspected(ret, seller_actor, "as_new")

    assert (ReturnLine.objects.get(ret=ret).restocking_fee_minor, fresh(ret).refund_minor) == (0, 4000)


def test_never_a_fee_when_the_seller_is_at_fault(order, charger, buyer_actor, seller_actor, at_now, photo):
    # given
    publish(return_restocking_fee_bp=FEES)
    ret = return_request(
        actor=buyer_actor, order=order, lines={charger.pk: 1}, reason=ReturnReason.WRONG_ITEM, photo_ids=[photo.pk]
    )
    # when the wrong item comes back opened
    ret = inspected(ret, seller_actor, "opened")
    # then
    assert (ReturnLine.objects.get(ret=ret).restocking_fee_minor, fresh(ret).refund_minor) == (0, 4000)


def test_the_fee_is_the_one_in_force_when_the_buyer_asked(order, charger, buyer_actor, seller_actor, at_now):
    # given a return asked under 10 % for opened electronics
    publish(return_restocking_fee_bp=FEES)
    ret = return_request(actor=buyer_actor, order=order, lines={charger.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # when the fee rises before the inspection
    publish(return_restocking_fee_bp={"electronics": {"opened": 2000}})
    ret = inspected(ret, seller_actor, "opened")
    # then
    assert ReturnLine.objects.get(ret=ret).restocking_fee_minor == 400


def test_the_buyer_reads_the_fee_before_asking_in_both_languages(order, charger, buyer, at_now):
    # given 25 % for used electronics, over the 20 % ceiling
    publish(return_restocking_fee_bp=FEES, return_restocking_fee_max_bp=2000)
    url = reverse("returns:return_start", args=[order.pk])
    # when
    english = client_as(buyer).get(url)
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    russian = client_as(buyer).get(url)
    # then the buyer reads what the ceiling leaves
    assert english.status_code == 200
    assert "Restocking fee when the seller finds it opened, complete: 10 %, used or worn: 20 %" in (
        english.content.decode()
    )
    assert russian.status_code == 200
    assert "Сбор за возврат, если продавец найдёт товар в состоянии" in russian.content.decode()


def test_the_return_page_shows_the_fee_taken(order, charger, buyer, buyer_actor, seller_actor, at_now):
    # given
    publish(return_restocking_fee_bp=FEES)
    ret = return_request(actor=buyer_actor, order=order, lines={charger.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    ret = inspected(ret, seller_actor, "used")
    # when
    response = client_as(buyer).get(reverse("returns:return_detail", args=[ret.pk]))
    # then
    assert response.status_code == 200
    assert "Restocking fee: £8.00, deducted from the refund" in response.content.decode()


# Final sale


def test_a_final_sale_line_is_refused_for_a_change_of_mind(order, soap, buyer_actor, at_now):
    # given
    # when
    with pytest.raises(FinalSale) as refused:
        return_request(actor=buyer_actor, order=order, lines={soap.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # then
    assert (refused.value.status, refused.value.code, refused.value.field) == (409, "return_final_sale", "lines")
    assert "Herbal soap was sold as final sale" in str(refused.value.message)
    assert Return.objects.count() == 0


def test_a_final_sale_line_that_arrived_damaged_may_come_back(order, soap, buyer_actor, at_now, photo):
    ret = return_request(
        actor=buyer_actor, order=order, lines={soap.pk: 1}, reason=ReturnReason.DAMAGED, photo_ids=[photo.pk]
    )

    assert ret.status == ReturnStatus.APPROVED


def test_the_form_says_why_a_final_sale_line_is_refused_in_both_languages(order, soap, buyer, at_now):
    # given
    url = reverse("returns:return_start", args=[order.pk])
    body = {f"qty_{soap.pk}": "1", "reason": "changed_mind", "resolution": "refund"}
    # when
    english = client_as(buyer).post(url, body)
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    russian = client_as(buyer).post(url, body)
    # then
    assert english.status_code == 409
    assert "Herbal soap was sold as final sale" in english.content.decode()
    assert russian.status_code == 409
    assert "Herbal soap продан без права возврата" in russian.content.decode()
    assert Return.objects.count() == 0


def test_the_api_refuses_a_final_sale_line_as_problem_json(storefront, order, soap, buyer, seller, at_now):
    # given
    body = {"buyer": buyer.external_id, "lines": [{"line": "L4", "quantity": 1}], "reason": "changed_mind"}
    # when
    response = post_json(storefront, f"/api/v1/orders/{order.external_id}/returns", body)
    # then
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("return_final_sale", "lines")
    assert Return.objects.count() == 0


def test_the_request_page_marks_a_final_sale_line(order, soap, buyer, at_now):
    response = client_as(buyer).get(reverse("returns:return_start", args=[order.pk]))

    assert response.status_code == 200
    assert "Final sale: returnable only if it arrived damaged" in response.content.decode()


# Keep the item


def test_a_refund_within_the_band_is_paid_without_the_item(order, hat, buyer_actor, seller, at_now):
    # given refunds up to 20.00 paid without the item
    publish(return_keep_item_max_minor={"GBP": 2000})
    # when the 15.00 hat comes back for a change of mind
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # then it is refunded at once, with nothing to ship
    assert (ret.status, ret.keep_item, ret.refund_minor, ret.ship_by) == (ReturnStatus.REFUNDED, True, 1500, None)
    assert refunds(order) == [("seller", 1500)]
    assert event_types(ret) == ["return.requested", "return.refunded"]
    assert list(Notification.objects.filter(user=seller).values_list("kind", flat=True)) == ["return.refunded"]


def test_a_refund_over_the_band_or_an_exchange_needs_the_item_back(order, scarf, hat, buyer_actor, at_now):
    # given refunds up to 20.00 paid without the item
    publish(return_keep_item_max_minor={"GBP": 2000})
    # when a 25.00 scarf comes back for a refund, and the 15.00 hat for an exchange
    over = return_request(actor=buyer_actor, order=order, lines={scarf.pk: 1}, reason=ReturnReason.DOESNT_FIT)
    exchange = return_request(
        actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.DOESNT_FIT, resolution="exchange"
    )
    # then both are approved to be shipped back
    assert (over.status, over.keep_item) == (ReturnStatus.APPROVED, False)
    assert (exchange.status, exchange.keep_item) == (ReturnStatus.APPROVED, False)


def test_another_currency_has_no_band(order, hat, buyer_actor, at_now):
    publish(return_keep_item_max_minor={"EUR": 2000})

    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)

    assert (ret.status, ret.keep_item) == (ReturnStatus.APPROVED, False)


def test_a_buyer_with_a_risk_signal_sends_the_item_back(order, hat, buyer, buyer_actor, at_now):
    # given
    publish(return_keep_item_max_minor={"GBP": 2000})
    RiskSignal.objects.create(buyer=buyer, kind=RiskKind.LATE_RETURNS)
    # when
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # then
    assert (ret.status, ret.keep_item) == (ReturnStatus.APPROVED, False)


def test_a_buyer_under_a_restriction_sends_the_item_back(order, hat, buyer, buyer_actor, at_now):
    # given
    publish(return_keep_item_max_minor={"GBP": 2000})
    BuyerRestriction.objects.create(
        buyer=buyer,
        status=RestrictionStatus.ACTIVE,
        effective_at=NOW - dt.timedelta(days=1),
        reason="Abuse.",
        applied_by=factories.UserFactory(),
    )
    # when
    ret = return_request(actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.CHANGED_MIND)
    # then
    assert (ret.status, ret.keep_item) == (ReturnStatus.APPROVED, False)


def test_the_seller_approving_a_keep_the_item_return_refunds_it(order, hat, buyer_actor, seller_actor, at_now):
    # given a return for another reason, waiting for the seller
    publish(return_keep_item_max_minor={"GBP": 2000})
    ret = return_request(
        actor=buyer_actor, order=order, lines={hat.pk: 1}, reason=ReturnReason.OTHER, description="Two."
    )
    # when
    ret = return_approve(actor=seller_actor, ret=ret)
    # then
    assert (ret.status, ret.refund_minor) == (ReturnStatus.REFUNDED, 1500)
    assert refunds(order) == [("seller", 1500)]


def test_a_final_sale_item_not_as_described_still_becomes_a_case(order, soap, buyer_actor, at_now):
    # given the buyer wrote to the seller three days ago
    at_now.at = NOW - dt.timedelta(days=3)
    seller_contact_record(actor=buyer_actor, order=order)
    at_now.at = NOW
    # when the soap sold as final sale is not as described
    case = case_open(
        actor=buyer_actor, order=order, case_type=CaseType.NOT_AS_DESCRIBED, description="Not this soap.", line=soap
    )
    # then the case opens
    assert (case.case_type, case.line_id) == (CaseType.NOT_AS_DESCRIBED, soap.pk)


# Reasons per line, through the API


def test_the_api_takes_a_reason_per_line(storefront, order, scarf, hat, buyer, seller, at_now, photo):
    # given
    body = {
        "buyer": buyer.external_id,
        "lines": [{"line": "L1", "quantity": 1}, {"line": "L2", "quantity": 1, "reason": "damaged"}],
        "reason": "doesnt_fit",
        "photos": [photo.pk],
    }
    # when
    response = post_json(storefront, f"/api/v1/orders/{order.external_id}/returns", body)
    # then
    assert response.status_code == 201
    assert [(line["line"], line["reason"]) for line in response.json()["lines"]] == [
        ("L1", "doesnt_fit"),
        ("L2", "damaged"),
    ]
    assert response.json()["shipping_paid_by"] == "seller"


def test_the_api_refuses_a_line_reason_that_is_not_one(storefront, order, scarf, buyer, seller, at_now):
    body = {
        "buyer": buyer.external_id,
        "lines": [{"line": "L1", "quantity": 1, "reason": "bored"}],
        "reason": "doesnt_fit",
    }

    response = post_json(storefront, f"/api/v1/orders/{order.external_id}/returns", body)

    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "lines.0.reason")
    assert Return.objects.count() == 0
