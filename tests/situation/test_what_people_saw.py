"""The contradictions seen in the demo, each named after what the buyer or the seller saw, now consistent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from marketdesk.cases.models import Case, CaseType, InfoRequest
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.opening import CaseNotEligible, case_open
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import Return, ReturnReason
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.services.windows import ReturnNotAllowed
from tests.cases.factories import CaseFactory
from tests.situation.conftest import DAY, NOW, delivered, parcel_of

pytestmark = pytest.mark.django_db

NOT_SHIPPED = "the seller has not shipped it yet"
ONCE_DELIVERED = "once the order has been delivered"


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def api_situation(client, order) -> dict:
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 200
    return response.json()["situation"]


def hint_codes(client, order) -> list[str]:
    response = client.get(f"/api/v1/orders/{order.external_id}/hints")
    assert response.status_code == 200
    return [h["code"] for h in response.json()]


def get_help_next_step(client, order, detail: str) -> str:
    response = client.post(
        reverse("cases:get_help", args=[order.pk]), {"description": "Where is it?", "detail": detail}
    )
    assert response.status_code == 200
    return response.content.decode()


def moment(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def times_in(html: str, marker: str) -> list[str]:
    """The ``datetime`` of each <time> inside the elements carrying ``marker``."""
    return re.findall(rf'{marker}[^>]*>(?:(?!</dd>|</p>|</td>).)*?<time[^>]*datetime="([^"]+)"', html, re.S)


# Late, or not


@pytest.mark.parametrize("status", [OrderStatus.REFUNDED, OrderStatus.CANCELLED])
def test_a_refunded_order_is_not_called_late_because_unshipped(status, make_order, buyer_client, at_now):
    order = make_order(status)  # its estimate passed long ago and no parcel ever left

    page = html_of(buyer_client, reverse("web:order_detail", args=[order.pk]))

    assert NOT_SHIPPED not in page
    assert 'data-hint="late_order"' not in page
    assert api_situation(buyer_client, order)["late"] is None
    assert "late_order" not in hint_codes(buyer_client, order)


def test_a_paid_order_past_its_estimate_is_late_because_unshipped_on_every_surface(make_order, buyer_client, at_now):
    order = make_order(OrderStatus.PAID)

    page = html_of(buyer_client, reverse("web:order_detail", args=[order.pk]))

    assert 'data-late="not_shipped"' in page
    assert 'data-hint="late_order" data-cause="not_shipped"' in page
    assert api_situation(buyer_client, order)["late"]["cause"] == "not_shipped"
    assert "late_order" in hint_codes(buyer_client, order)


def test_a_delivered_order_is_not_flagged_delayed_by_its_replacement_parcel(make_order, evri, buyer_client, at_now):
    order = make_order(OrderStatus.DELIVERED, delivered_at=NOW - 6 * DAY)
    delivered(parcel_of(order, evri, "EV100001", at=NOW - 10 * DAY), NOW - 6 * DAY)

    replacement = parcel_of(order, evri, "EV100002", at=NOW - DAY)  # sent after the order's estimate had passed

    assert replacement.estimated_to is None
    assert not replacement.delayed
    page = html_of(buyer_client, reverse("web:order_detail", args=[order.pk]))
    assert "Delayed" not in page
    assert api_situation(buyer_client, order)["late"] is None


def test_the_first_parcel_keeps_the_orders_estimate(make_order, evri, at_now):
    order = make_order(OrderStatus.PAID, estimated_delivery_at=NOW + 3 * DAY)

    parcel = parcel_of(order, evri, "EV100003", at=NOW)

    assert parcel.estimated_to == NOW + 3 * DAY


# Returns and cases once the parcel arrived


def test_a_shipped_order_whose_only_parcel_arrived_can_be_returned_on_every_page(
    make_order, evri, buyer_client, at_now
):
    order = make_order(OrderStatus.SHIPPED)  # the marketplace has not said "delivered" yet
    delivered(parcel_of(order, evri, "EV200001", at=NOW - 8 * DAY), NOW - 4 * DAY)

    order_page = html_of(buyer_client, reverse("web:order_detail", args=[order.pk]))
    returns_page = html_of(buyer_client, reverse("returns:return_start", args=[order.pk]))
    next_step = get_help_next_step(buyer_client, order, "damaged")
    api = api_situation(buyer_client, order)

    assert ONCE_DELIVERED not in order_page + returns_page + next_step
    assert "You can return items of this order until" in returns_page
    until = moment(api["return_option"]["closes_at"])
    order_until = moment(re.search(r'data-return-until="([^"]+)"', order_page).group(1))
    assert [order_until, *map(moment, times_in(returns_page, 'data-fact="return"'))] == [until, until]
    assert "You can open this case once" not in next_step
    assert [c["allowed"] for c in api["cases"] if c["case_type"] == CaseType.NOT_AS_DESCRIBED] == [False]
    assert "Contact the seller first" in next_step  # Next step sends nothing: the buyer is told to write first


def test_a_cancelled_orders_get_help_does_not_say_once_delivered(make_order, buyer_client, at_now):
    order = make_order(OrderStatus.CANCELLED)

    next_step = get_help_next_step(buyer_client, order, "damaged")
    returns_page = html_of(buyer_client, reverse("returns:return_start", args=[order.pk]))

    assert "once delivered" not in next_step
    assert ONCE_DELIVERED not in next_step
    assert "This order was cancelled, so there is no delivery to claim for." in next_step
    assert "This order was cancelled: there is nothing to return." in returns_page


# Case lists


def row_of(html: str, case) -> str:
    match = re.search(rf'href="{reverse("cases:case_detail", args=[case.pk])}".*?</tr>', html, re.S)
    assert match is not None
    return match.group(0)


@pytest.mark.parametrize("status", [CaseStatus.DECIDED, CaseStatus.CLOSED, CaseStatus.RESOLVED])
def test_a_decided_or_closed_case_is_not_overdue_in_either_partys_case_list(
    status, make_order, buyer_client, seller_client, at_now
):
    case = CaseFactory(order=make_order(OrderStatus.SHIPPED), status=status, seller_due_at=NOW - 40 * DAY)

    rows = [row_of(html_of(c, reverse("cases:case_list")), case) for c in (buyer_client, seller_client)]

    assert ["overdue" in row for row in rows] == [False, False]
    assert ["deadline--danger" in row for row in rows] == [False, False]


def test_a_case_with_an_offer_shows_the_same_deadline_in_the_list_and_on_its_page(
    make_order, buyer_client, seller_client, at_now
):
    case = CaseFactory(
        order=make_order(OrderStatus.SHIPPED),
        status=CaseStatus.OFFER_MADE,
        seller_due_at=NOW - 2 * DAY,
        expires_at=NOW + 10 * DAY,
    )
    expires = (NOW + 10 * DAY).isoformat()

    for client in (buyer_client, seller_client):
        row = row_of(html_of(client, reverse("cases:case_list")), case)
        page = html_of(client, reverse("cases:case_detail", args=[case.pk]))
        assert "overdue" not in row
        assert f'datetime="{expires}"' in row
        assert f'datetime="{expires}"' in page


def test_a_case_waiting_for_an_answer_shows_supports_clock_paused_not_overdue(
    make_order, buyer_client, seller_client, at_now
):
    case = CaseFactory(
        order=make_order(OrderStatus.SHIPPED),
        status=CaseStatus.AWAITING_INFO,
        seller_due_at=NOW - 9 * DAY,
        escalated_at=NOW - 5 * DAY,
        decision_due_at=NOW - 3 * DAY,
    )
    InfoRequest.objects.create(
        case=case, party="seller", question="Proof of posting?", asked_at=NOW - 4 * DAY, due_at=NOW - 3 * DAY
    )

    rows = [row_of(html_of(c, reverse("cases:case_list")), case) for c in (buyer_client, seller_client)]

    assert ['data-paused="1"' in row for row in rows] == [True, True]
    assert ["overdue" in row for row in rows] == [False, False]


# The services refuse what the pages say cannot be done


def test_a_buyer_cannot_claim_not_received_on_a_cancelled_order_even_past_the_seller_contact(make_order, buyer, at_now):
    order = make_order(OrderStatus.CANCELLED)
    with clock.frozen(NOW - 5 * DAY):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)

    with pytest.raises(CaseNotEligible) as refused:
        case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="?")

    assert refused.value.status == 409
    assert str(refused.value.message) == "This order was cancelled, so there is no delivery to claim for."
    assert not Case.objects.filter(order=order).exists()


def test_a_buyer_cannot_return_items_of_a_fully_refunded_order(make_order, buyer, at_now):
    order = make_order(OrderStatus.REFUNDED, delivered_at=NOW - 3 * DAY)

    with pytest.raises(ReturnNotAllowed) as refused:
        return_request(
            actor=Actor.for_user(buyer),
            order=order,
            lines={order.lines.get().pk: 1},
            reason=ReturnReason.CHANGED_MIND,
        )

    assert refused.value.status == 409
    assert str(refused.value.message) == "This order has been refunded in full: there is nothing to return."
    assert not Return.objects.filter(order=order).exists()
