"""Exchanges (the replacement parcel, or the refund offered when out of stock) and the return parcel's tracking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.ledger.models import LedgerEntry
from marketdesk.notifications.models import Notification
from marketdesk.returns.models import Resolution, Return, ReturnReason
from marketdesk.returns.services.inspection import (
    LineInspection,
    return_inspect,
    return_refund_take,
    return_replacement_ship,
)
from marketdesk.returns.services.receipt import return_mark_shipped, return_receive
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.states import ReturnStatus
from marketdesk.shipping.ingest import tracking_events_ingest
from marketdesk.shipping.models import Shipment
from marketdesk.simulator.shipping import carrier_stream
from tests.returns.conftest import NOW, client_as, event_types, fresh, webhooks
from tests.shipping.conftest import carriers_ensure, worker_ran

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers(db) -> None:
    carriers_ensure()


@pytest.fixture
def exchange(order, scarf, buyer_actor, seller, at_now, carriers, endpoint) -> Return:
    """Two scarves to exchange because they do not fit: approved at once."""
    return return_request(
        actor=buyer_actor,
        order=order,
        lines={scarf.pk: 2},
        reason=ReturnReason.DOESNT_FIT,
        resolution=Resolution.EXCHANGE,
    )


def _inspect(seller_actor, ret: Return, *, in_stock: bool) -> Return:
    return_receive(actor=seller_actor, code=ret.code)
    results = {rl.pk: LineInspection(accepted=rl.quantity, condition="as_new") for rl in ret.lines.all()}
    return return_inspect(actor=seller_actor, ret=ret, results=results, replacement_in_stock=in_stock)


@pytest.fixture
def replacement_due(exchange, seller_actor) -> Return:
    return _inspect(seller_actor, exchange, in_stock=True)


@pytest.fixture
def refund_offered(exchange, seller_actor) -> Return:
    return _inspect(seller_actor, exchange, in_stock=False)


def ledger(order) -> list[tuple[str, str, int]]:
    return list(LedgerEntry.objects.filter(order=order).order_by("id").values_list("kind", "payer", "amount_minor"))


def notices(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


# The replacement


def test_an_exchange_accepted_in_stock_waits_for_the_replacement_without_money(replacement_due, order):
    assert (replacement_due.status, replacement_due.replacement_shipment_id, ledger(order)) == (
        ReturnStatus.REPLACEMENT_REQUESTED,
        None,
        [],
    )
    assert webhooks()[-1][0] == "return.replacement_requested"


def test_the_seller_records_the_replacement_parcel_with_the_accepted_lines(
    replacement_due, seller_actor, scarf, buyer, endpoint
):
    done = return_replacement_ship(
        actor=seller_actor, ret=replacement_due, carrier="royal-mail", tracking_number="RM123456785GB"
    )

    shipment = Shipment.objects.get(pk=done.replacement_shipment_id)
    assert (done.status, done.resolved_at) == (ReturnStatus.REPLACEMENT_SHIPPED, NOW)
    assert (shipment.order_id, shipment.carrier.code, shipment.tracking_number) == (
        replacement_due.order_id,
        "royal-mail",
        "RM123456785GB",
    )
    assert list(shipment.lines.values_list("line_id", "quantity")) == [(scarf.pk, 2)]
    assert event_types(done)[-1] == "return.replacement_shipped"
    assert webhooks()[-1] == ("return.replacement_shipped", f"return-{done.pk}-replacement_shipped")
    assert notices(buyer)[-1] == "return.replaced"


def test_a_double_submitted_replacement_makes_one_shipment(replacement_due, seller_actor):
    first = return_replacement_ship(actor=seller_actor, ret=replacement_due, carrier="evri", tracking_number="H01")
    again = return_replacement_ship(actor=seller_actor, ret=replacement_due, carrier="evri", tracking_number="H01")

    assert again.replacement_shipment_id == first.replacement_shipment_id
    assert Shipment.objects.filter(order=replacement_due.order).count() == 1
    assert event_types(again).count("return.replacement_shipped") == 1


def test_another_tracking_number_after_the_replacement_was_sent_is_refused(replacement_due, seller_actor):
    return_replacement_ship(actor=seller_actor, ret=replacement_due, carrier="evri", tracking_number="H01")

    with pytest.raises(Conflict):
        return_replacement_ship(actor=seller_actor, ret=replacement_due, carrier="evri", tracking_number="H02")
    assert Shipment.objects.filter(order=replacement_due.order).count() == 1


def test_an_unknown_carrier_is_refused_and_nothing_is_written(replacement_due, seller_actor):
    with pytest.raises(DomainValidationError):
        return_replacement_ship(actor=seller_actor, ret=replacement_due, carrier="pigeon", tracking_number="P1")

    assert (fresh(replacement_due).status, Shipment.objects.count()) == (ReturnStatus.REPLACEMENT_REQUESTED, 0)


def test_a_replacement_before_inspection_is_refused(exchange, seller_actor):
    return_receive(actor=seller_actor, code=exchange.code)

    with pytest.raises(Conflict):
        return_replacement_ship(actor=seller_actor, ret=exchange, carrier="evri", tracking_number="H01")
    assert Shipment.objects.count() == 0


def test_the_buyer_cannot_record_the_replacement(replacement_due, buyer_actor):
    with pytest.raises(PermissionDenied):
        return_replacement_ship(actor=buyer_actor, ret=replacement_due, carrier="evri", tracking_number="H01")


def test_another_shops_seller_cannot_record_the_replacement(replacement_due, other_seller_actor):
    with pytest.raises(NotFound):
        return_replacement_ship(actor=other_seller_actor, ret=replacement_due, carrier="evri", tracking_number="H01")
    assert Shipment.objects.count() == 0


# Out of stock: the refund is offered


def test_out_of_stock_offers_the_refund_without_paying_it(refund_offered, order, buyer, endpoint):
    assert (refund_offered.status, refund_offered.replacement_out_of_stock, refund_offered.refund_offered_at) == (
        ReturnStatus.REFUND_OFFERED,
        True,
        NOW,
    )
    assert ledger(order) == []
    assert event_types(refund_offered)[-1] == "return.refund_offered"
    assert webhooks()[-1][0] == "return.refund_offered"
    assert notices(buyer)[-1] == "return.refund_offered"


def test_the_buyer_takes_the_refund_once(refund_offered, buyer_actor, order, seller):
    done = return_refund_take(actor=buyer_actor, ret=refund_offered)
    again = return_refund_take(actor=buyer_actor, ret=refund_offered)

    assert (done.status, done.refund_minor, again.refund_minor) == (ReturnStatus.REFUNDED, 5000, 5000)
    assert ledger(order) == [("refund", "seller", 5000)]
    assert notices(seller)[-1] == "return.refunded"


def test_the_seller_cannot_take_the_buyers_refund(refund_offered, seller_actor, order):
    with pytest.raises(PermissionDenied):
        return_refund_take(actor=seller_actor, ret=refund_offered)
    assert ledger(order) == []


def test_no_refund_is_taken_while_the_replacement_is_due(replacement_due, buyer_actor, order):
    with pytest.raises(Conflict):
        return_refund_take(actor=buyer_actor, ret=replacement_due)
    assert ledger(order) == []


# Tracking of the parcel sent back


def test_a_known_carrier_makes_the_return_parcel_a_tracked_shipment(exchange, buyer_actor, scarf, marketplace):
    shipped = return_mark_shipped(actor=buyer_actor, ret=exchange, carrier="evri", tracking_number="H0RET1")
    parcel = Shipment.objects.get(pk=shipped.return_shipment_id)
    assert list(parcel.lines.values_list("line_id", "quantity")) == [(scarf.pk, 2)]

    with clock.frozen(NOW + dt.timedelta(hours=30)):
        tracking_events_ingest(
            actor=Actor.marketplace(marketplace_id=marketplace.pk),
            rows=carrier_stream(carrier=parcel.carrier, tracking_number="H0RET1", path="on_time", start=NOW)[:2],
        )
        worker_ran()  # the worker folds the events into the parcel after commit

    assert Shipment.objects.get(pk=parcel.pk).tracking_status == "in_transit"


def test_without_a_known_carrier_only_the_tracking_number_is_kept(exchange, buyer_actor):
    shipped = return_mark_shipped(actor=buyer_actor, ret=exchange, carrier="", tracking_number="XYZ")

    assert (shipped.status, shipped.tracking_number, shipped.return_shipment_id) == (ReturnStatus.SHIPPED, "XYZ", None)


def test_a_tracking_number_of_another_parcel_is_refused_and_nothing_changes(exchange, buyer_actor, seller_actor):
    return_mark_shipped(actor=buyer_actor, ret=exchange, carrier="evri", tracking_number="H0RET1")
    other = return_request(
        actor=buyer_actor,
        order=exchange.order,
        lines={exchange.order.lines.get(external_id="L2").pk: 1},
        reason="doesnt_fit",
    )

    with pytest.raises(Conflict):
        return_mark_shipped(actor=buyer_actor, ret=other, carrier="evri", tracking_number="H0RET1")
    assert (fresh(other).status, fresh(other).return_shipment_id) == (ReturnStatus.APPROVED, None)


# Pages


def test_the_seller_sends_the_replacement_from_the_page_and_the_buyer_follows_it(replacement_due, seller, buyer):
    url = reverse("returns:return_act", args=[replacement_due.pk, "replacement"])
    form = {"replacement-carrier": "royal-mail", "replacement-tracking_number": "RM1GB"}

    assert (
        "data-replacement-form"
        in client_as(seller).get(reverse("returns:return_detail", args=[replacement_due.pk])).content.decode()
    )
    assert client_as(seller).post(url, form).status_code == 302
    assert client_as(seller).post(url, form).status_code == 302

    ret = fresh(replacement_due)
    page = client_as(buyer).get(reverse("returns:return_detail", args=[ret.pk])).content.decode()
    assert Shipment.objects.count() == 1
    assert reverse("shipping:tracking", args=[ret.replacement_shipment_id]) in page


def test_the_buyer_cannot_post_the_replacement(replacement_due, buyer):
    url = reverse("returns:return_act", args=[replacement_due.pk, "replacement"])
    response = client_as(buyer).post(url, {"replacement-carrier": "evri", "replacement-tracking_number": "H1"})

    assert (response.status_code, Shipment.objects.count()) == (404, 0)


def test_a_missing_tracking_number_is_shown_on_the_form(replacement_due, seller):
    url = reverse("returns:return_act", args=[replacement_due.pk, "replacement"])
    response = client_as(seller).post(url, {"replacement-carrier": "evri", "replacement-tracking_number": ""})

    assert (response.status_code, Shipment.objects.count()) == (422, 0)


def test_the_buyer_takes_the_refund_with_the_button(refund_offered, buyer, order):
    page = client_as(buyer).get(reverse("returns:return_detail", args=[refund_offered.pk])).content.decode()
    url = reverse("returns:return_act", args=[refund_offered.pk, "take-refund"])

    assert "Take the refund" in page
    assert client_as(buyer).post(url).status_code == 302
    assert client_as(buyer).post(url).status_code == 302
    assert ledger(order) == [("refund", "seller", 5000)]


def test_the_seller_cannot_press_the_buyers_refund_button(refund_offered, seller, order):
    url = reverse("returns:return_act", args=[refund_offered.pk, "take-refund"])

    assert client_as(seller).post(url).status_code == 404
    assert ledger(order) == []


def test_the_return_page_shows_the_return_parcels_status(exchange, buyer, buyer_actor):
    shipped = return_mark_shipped(actor=buyer_actor, ret=exchange, carrier="evri", tracking_number="H0RET1")
    page = client_as(buyer).get(reverse("returns:return_detail", args=[shipped.pk])).content.decode()

    assert "data-return-parcel" in page
    assert reverse("shipping:tracking", args=[shipped.return_shipment_id]) in page


# API


@pytest.fixture
def key_client(marketplace, admin_user):
    from django.test import Client

    from marketdesk.accounts.services import api_key_create

    _key, secret = api_key_create(actor=Actor.for_user(admin_user), marketplace=marketplace, name="warehouse")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _post_replacement(client, ret: Return, number: str = "H01", **headers):
    return client.post(
        f"/api/v1/returns/{ret.pk}/replacement",
        {"carrier": "evri", "tracking_number": number},
        content_type="application/json",
        headers=headers,
    )


def test_the_marketplace_records_the_replacement_once_with_an_idempotency_key(replacement_due, key_client):
    first = _post_replacement(key_client, replacement_due, **{"Idempotency-Key": "r-1"})
    again = _post_replacement(key_client, replacement_due, **{"Idempotency-Key": "r-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert first.json()["status"] == ReturnStatus.REPLACEMENT_SHIPPED
    assert first.json()["replacement_shipment_id"] == Shipment.objects.get().pk


def test_the_seller_records_the_replacement_through_the_api_and_a_second_number_is_a_409(replacement_due, seller):
    assert _post_replacement(client_as(seller), replacement_due).status_code == 200
    assert _post_replacement(client_as(seller), replacement_due, "H02").status_code == 409


def test_a_buyer_may_not_record_the_replacement_through_the_api(replacement_due, buyer):
    assert (_post_replacement(client_as(buyer), replacement_due).status_code, Shipment.objects.count()) == (403, 0)


def test_another_sellers_replacement_call_is_a_404(replacement_due, marketplace):
    from tests import factories

    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    assert (_post_replacement(client_as(stranger), replacement_due).status_code, Shipment.objects.count()) == (404, 0)


def test_an_api_replacement_before_inspection_is_a_409(exchange, key_client):
    assert _post_replacement(key_client, exchange).status_code == 409
