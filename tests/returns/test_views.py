"""Return pages through the client, as each role, including the roles that must be refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketdesk.core.actors import Actor
from marketdesk.returns.models import Return, ReturnReason
from marketdesk.returns.services.requesting import return_request
from marketdesk.returns.states import ReturnStatus
from tests import factories
from tests.returns.conftest import DELIVERED, MINUTE, WINDOW_CLOSES, client_as, fresh

pytestmark = pytest.mark.django_db


def test_the_order_page_offers_a_return_with_its_closing_date(order, buyer, at_now):
    response = client_as(buyer).get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    assert "Return an item" in response.content.decode()


def test_the_buyer_requests_a_return_and_lands_on_its_page(order, scarf, buyer, seller, at_now):
    response = client_as(buyer).post(
        f"/orders/{order.pk}/return/", {f"qty_{scarf.pk}": "1", "reason": "doesnt_fit", "resolution": "refund"}
    )
    ret = Return.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/returns/{ret.pk}/")
    assert ret.status == ReturnStatus.APPROVED


def test_a_request_after_the_window_shows_the_date_it_closed(order, scarf, buyer, at_now):
    at_now.at = WINDOW_CLOSES + MINUTE
    response = client_as(buyer).post(
        f"/orders/{order.pk}/return/", {f"qty_{scarf.pk}": "1", "reason": "doesnt_fit", "resolution": "refund"}
    )
    assert response.status_code == 409
    assert "ended on Sun 20 Dec, 12:00" in response.content.decode()
    assert Return.objects.count() == 0


def test_more_than_ordered_is_refused_on_the_form(order, scarf, buyer, at_now):
    response = client_as(buyer).post(
        f"/orders/{order.pk}/return/", {f"qty_{scarf.pk}": "3", "reason": "doesnt_fit", "resolution": "refund"}
    )
    assert response.status_code == 422
    assert Return.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("other_buyer", 404), ("seller", 404), ("operator", 404), (None, 302)])
def test_only_the_buyer_opens_the_request_form(request, order, at_now, who, status):
    user = request.getfixturevalue(who) if who else None
    assert client_as(user).get(f"/orders/{order.pk}/return/").status_code == status


@pytest.mark.parametrize(("who", "status"), [("buyer", 200), ("seller", 200), ("operator", 200), ("other_buyer", 404)])
def test_the_return_page_is_for_its_parties_and_support(request, approved, who, status):
    user = request.getfixturevalue(who)
    assert client_as(user).get(f"/returns/{approved.pk}/").status_code == status


def test_another_shops_seller_does_not_see_the_return(approved, marketplace):
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    assert client_as(stranger).get(f"/returns/{approved.pk}/").status_code == 404


@pytest.mark.parametrize("fmt", ["pdf", "png"])
def test_the_label_downloads_for_the_buyer(approved, buyer, fmt):
    response = client_as(buyer).get(f"/returns/{approved.pk}/label.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == {"pdf": "application/pdf", "png": "image/png"}[fmt]


def test_a_refused_return_has_no_label(requested, seller, buyer, seller_actor):
    from marketdesk.returns.services.approval import return_refuse

    return_refuse(actor=seller_actor, ret=requested, reason="Final sale.")
    response = client_as(buyer).get(f"/returns/{requested.pk}/label.pdf")
    assert response.status_code == 409
    assert "has no label" in response.content.decode()


def test_another_buyer_gets_no_label(approved, other_buyer):
    assert client_as(other_buyer).get(f"/returns/{approved.pk}/label.pdf").status_code == 404


def test_the_seller_records_receipt_by_typing_the_code(approved, seller):
    response = client_as(seller).post("/returns/", {"receive-code": approved.code})
    assert (response.status_code, fresh(approved).status) == (302, ReturnStatus.RECEIVED)


def test_the_code_of_another_sellers_return_is_refused_on_the_page(approved, marketplace):
    stranger = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    response = client_as(stranger).post("/returns/", {"receive-code": approved.code})
    assert response.status_code == 404
    assert f"None of your returns has the code {approved.code}." in response.content.decode()
    assert fresh(approved).status == ReturnStatus.APPROVED


def test_the_seller_inspects_and_the_partial_reason_is_shown_to_the_buyer(received, seller, buyer):
    rl = received.lines.get()
    response = client_as(seller).post(
        f"/returns/{received.pk}/inspect/",
        {
            f"inspect-accepted_{rl.pk}": "1",
            f"inspect-condition_{rl.pk}": "used",
            f"inspect-notes_{rl.pk}": "Worn once",
            "inspect-partial_reason": "One scarf was worn.",
        },
    )
    assert response.status_code == 302
    assert fresh(received).refund_minor == 2500
    assert "One scarf was worn." in client_as(buyer).get(f"/returns/{received.pk}/").content.decode()


def test_the_buyer_cannot_inspect(received, buyer):
    assert client_as(buyer).post(f"/returns/{received.pk}/inspect/", {}).status_code == 404


def test_the_seller_cannot_cancel_the_buyers_return(approved, seller):
    assert client_as(seller).post(f"/returns/{approved.pk}/cancel/").status_code == 404


def test_the_sellers_list_puts_requests_first_and_its_queries_do_not_grow_with_rows(
    requested, approved, seller, buyer, shop, marketplace
):
    client = client_as(seller)
    with CaptureQueriesContext(connection) as two_rows:
        response = client.get("/returns/")
    body = response.content.decode()
    assert (response.status_code, body.index(requested.code) < body.index(approved.code)) == (200, True)
    more = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, delivered_at=DELIVERED)
    factories.PaymentFactory(order=more)
    return_request(
        actor=Actor.for_user(buyer), order=more, lines={more.lines.get().pk: 1}, reason=ReturnReason.CHANGED_MIND
    )
    with CaptureQueriesContext(connection) as three_rows:
        client.get("/returns/")
    assert len(three_rows.captured_queries) == len(two_rows.captured_queries)


def test_the_seller_is_not_told_that_postage_is_paid_by_you_the_buyer(approved, seller, buyer):
    # given an approved return whose postage the buyer pays (it does not fit)
    assert approved.shipping_paid_by == "buyer"

    # when each party opens its page
    seller_page = client_as(seller).get(f"/returns/{approved.pk}/").content.decode()
    buyer_page = client_as(buyer).get(f"/returns/{approved.pk}/").content.decode()

    # then each is told in words written for them
    assert "Return postage is paid by the buyer." in seller_page
    assert "paid by you, the buyer" not in seller_page
    assert "Return postage is paid by you, the buyer." in buyer_page


def test_a_damaged_item_without_a_photo_is_told_once_beside_the_photos(order, scarf, buyer, at_now):
    # when the buyer asks to return a damaged item without a photo
    response = client_as(buyer).post(
        f"/orders/{order.pk}/return/", {f"qty_{scarf.pk}": "1", "reason": "damaged", "resolution": "refund"}
    )

    # then the page says so once, next to the photos, and nothing is requested
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count("Add at least one photo that shows the problem.") == 1
    assert Return.objects.count() == 0


# A reason per item


def line_reasons(ret: Return) -> dict[str, str]:
    return {rl.order_line.external_id: rl.reason for rl in ret.lines.select_related("order_line")}


def speaking(buyer, language: str):
    buyer.language = language
    buyer.save(update_fields=["language"])
    return client_as(buyer)


def test_each_item_comes_back_for_its_own_reason(order, scarf, hat, buyer, at_now):
    # given two items, the hat with a reason of its own
    body = {
        f"qty_{scarf.pk}": "1",
        f"qty_{hat.pk}": "1",
        "reason": "doesnt_fit",
        f"reason_{hat.pk}": "changed_mind",
        "resolution": "refund",
    }
    # when
    response = client_as(buyer).post(f"/orders/{order.pk}/return/", body)
    # then the scarf takes the return's reason and the hat its own
    ret = Return.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/returns/{ret.pk}/")
    assert ret.reason == "doesnt_fit"
    assert line_reasons(ret) == {"L1": "doesnt_fit", "L2": "changed_mind"}


def test_one_reason_still_serves_every_item(order, scarf, hat, buyer, at_now):
    body = {f"qty_{scarf.pk}": "1", f"qty_{hat.pk}": "1", "reason": "doesnt_fit", "resolution": "refund"}

    response = client_as(buyer).post(f"/orders/{order.pk}/return/", body)

    assert response.status_code == 302
    assert line_reasons(Return.objects.get()) == {"L1": "doesnt_fit", "L2": "doesnt_fit"}


def test_an_order_of_one_item_asks_one_reason(order, scarf, hat, buyer, at_now):
    # given an order of the scarf alone
    hat.delete()
    client = client_as(buyer)
    # when
    page = client.get(f"/orders/{order.pk}/return/").content.decode()
    response = client.post(
        f"/orders/{order.pk}/return/", {f"qty_{scarf.pk}": "1", "reason": "doesnt_fit", "resolution": "refund"}
    )
    # then
    assert "data-line-reason" not in page
    assert response.status_code == 302
    assert line_reasons(Return.objects.get()) == {"L1": "doesnt_fit"}


@pytest.mark.parametrize(
    ("language", "label", "default"),
    [
        ("en", "Why this item?", "As for the whole return"),
        ("ru", "Почему возвращаете этот товар?", "Как для всего возврата"),
    ],
)
def test_the_form_asks_a_reason_per_item_in_both_languages(order, scarf, hat, buyer, at_now, language, label, default):
    page = speaking(buyer, language).get(f"/orders/{order.pk}/return/").content.decode()

    assert page.count("data-line-reason") == 2
    assert page.count(f">{label}</label>") == 2
    assert f'<option value="">{default}</option>' in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Select a valid choice. broken is not one of the available choices."),
        ("ru", "Выберите корректный вариант. broken нет среди допустимых значений."),
    ],
)
def test_an_unknown_reason_for_an_item_is_told_beside_it(order, scarf, hat, buyer, at_now, language, message):
    body = {f"qty_{hat.pk}": "1", "reason": "doesnt_fit", f"reason_{hat.pk}": "broken", "resolution": "refund"}

    response = speaking(buyer, language).post(f"/orders/{order.pk}/return/", body)

    assert response.status_code == 422
    assert f'<p class="field__error" id="id_reason_{hat.pk}-error">{message} </p>' in response.content.decode()
    assert Return.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Add at least one photo that shows the problem."),
        ("ru", "Добавьте хотя бы одно фото, на котором видна проблема."),
    ],
)
def test_an_item_damaged_asks_for_photos_even_when_the_return_is_for_a_fit(
    order, scarf, hat, buyer, at_now, language, message
):
    body = {
        f"qty_{scarf.pk}": "1",
        f"qty_{hat.pk}": "1",
        "reason": "doesnt_fit",
        f"reason_{hat.pk}": "damaged",
        "resolution": "refund",
    }

    response = speaking(buyer, language).post(f"/orders/{order.pk}/return/", body)

    assert response.status_code == 422
    assert response.content.decode().count(message) == 1
    assert Return.objects.count() == 0
