"""The buyer's Get help page, its triage suggestion, the next step and the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.cases.models import Case, CaseType, SellerContact
from marketdesk.core import clock
from marketdesk.messaging.models import Message
from tests import factories
from tests.cases.conftest import CONTACTED_AT, NOW, client_as

pytestmark = pytest.mark.django_db

DAMAGED_RU = "посылка пришла разбитая, что делать"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_buyer_order(order, other_buyer):
    return factories.OrderFactory(buyer=other_buyer, shop=order.shop, marketplace=order.marketplace)


# The Get help page


def test_buyer_sees_get_help_with_the_reasons(order, buyer):
    response = client_as(buyer).get(reverse("cases:get_help", args=[order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Describe what happened" in html
    # typed, pasted, autofilled or dictated text all fire "input" (keyup misses all but the first)
    assert 'hx-trigger="input changed delay:500ms"' in html
    assert reverse("cases:get_help_suggest", args=[order.pk]) in html
    for code in ("not_arrived", "damaged", "seller_silent", "refund_missing", "charged_twice", "something_else"):
        assert f'value="{code}"' in html


def test_order_page_has_the_get_help_button_for_its_buyer(order, buyer):
    html = client_as(buyer).get(reverse("web:order_detail", args=[order.pk])).content.decode()
    assert reverse("cases:get_help", args=[order.pk]) in html
    assert "Get help" in html


@pytest.mark.parametrize("name", ["cases:get_help", "cases:get_help_suggest", "cases:get_help_open"])
def test_another_buyers_order_is_not_found(other_buyer_order, buyer, name):
    client = client_as(buyer)
    url = reverse(name, args=[other_buyer_order.pk])
    response = client.get(url) if name == "cases:get_help" else client.post(url, {"description": "broken"})
    assert response.status_code == 404


def test_a_seller_cannot_get_help_on_a_buyers_order(order, seller):
    assert client_as(seller).get(reverse("cases:get_help", args=[order.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(order):
    response = Client().get(reverse("cases:get_help", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


# The triage suggestion


def test_suggestion_preselects_item_problem_with_russian_fix_and_articles(order, buyer):
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    response = client_as(buyer).post(
        reverse("cases:get_help_suggest", args=[order.pk]), {"description": DAMAGED_RU}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-label="item_problem"' in html
    assert 'value="damaged" checked' in html
    assert 'hx-swap-oob="true"' in html
    assert "Сфотографируйте" in html  # the damaged-item fix, in Russian
    assert html.count('lang="ru"') >= 1
    assert 'lang="en"' not in html


def test_suggestion_keeps_the_buyers_own_pick(order, buyer):
    response = client_as(buyer).post(
        reverse("cases:get_help_suggest", args=[order.pk]),
        {"description": "the parcel arrived broken", "detail": "seller_silent", "suggested": "damaged"},
    )
    html = response.content.decode()
    assert 'value="seller_silent" checked' in html
    assert 'value="damaged" checked' not in html


def test_empty_text_suggests_nothing(order, buyer):
    response = client_as(buyer).post(reverse("cases:get_help_suggest", args=[order.pk]), {"description": "  "})
    assert response.status_code == 200
    assert "Start typing" in response.content.decode()


def test_suggestion_refuses_get(order, buyer):
    assert client_as(buyer).get(reverse("cases:get_help_suggest", args=[order.pk])).status_code == 405


# The next step


def test_next_step_without_a_reason_is_a_form_error(order, buyer):
    response = client_as(buyer).post(reverse("cases:get_help", args=[order.pk]), {"description": "broken"})
    assert response.status_code == 422
    assert "Pick what is wrong." in response.content.decode()
    assert not SellerContact.objects.exists()


def test_next_step_sends_nothing_and_offers_a_button_that_says_it_sends_to_the_seller(order, buyer, at_now):
    response = client_as(buyer).post(
        reverse("cases:get_help", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
    )
    assert response.status_code == 200
    assert not SellerContact.objects.exists()
    assert not Message.objects.exists()
    html = response.content.decode()
    assert "Contact the seller first" in html
    assert reverse("cases:get_help_send", args=[order.pk]) in html
    assert "Send to the seller" in html
    assert reverse("cases:get_help_open", args=[order.pk]) not in html


def test_send_to_the_seller_records_the_contact_and_the_next_visit_says_from_when_a_case_may_open(order, buyer, at_now):
    client = client_as(buyer)
    sent = client.post(
        reverse("cases:get_help_send", args=[order.pk]),
        {"description": "It never came.", "detail": "not_arrived", "client_token": "t-1"},
    )
    assert sent.status_code == 302
    assert sent["Location"] == reverse("messaging:conversation", args=[order.pk])
    assert SellerContact.objects.get(order=order).contacted_at == NOW
    assert list(Message.objects.values_list("body", flat=True)) == ["It never came."]
    response = client.post(
        reverse("cases:get_help", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
    )
    html = response.content.decode()
    # 48 hours after Thursday noon: Saturday 28 Nov, 12:00 (London time is UTC in November)
    assert "You can open a case from Sat 28 Nov, 12:00, if the problem is not solved by then." in html
    assert reverse("cases:get_help_open", args=[order.pk]) not in html


def test_next_step_offers_to_open_a_case_when_allowed(order, buyer, contacted, at_now):
    response = client_as(buyer).post(
        reverse("cases:get_help", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
    )
    assert response.status_code == 200
    assert SellerContact.objects.filter(order=order).count() == 1
    html = response.content.decode()
    assert "You can open a case now." in html
    assert reverse("cases:get_help_open", args=[order.pk]) in html


def test_opening_a_case_when_allowed_creates_one_and_shows_it(order, buyer, contacted, at_now):
    client = client_as(buyer)
    response = client.post(
        reverse("cases:get_help_open", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.case_type == CaseType.ITEM_NOT_RECEIVED
    assert case.reason_detail == "not_arrived"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Awaiting the seller" in html
    assert "Item not received" in html
    assert order.external_id in html
    assert "Case opened" in html
    assert "Dec. 1, 2026" in html  # the seller answers by Tuesday


def test_opening_a_case_too_early_shows_the_date_not_a_500(order, buyer, at_now):
    with clock.frozen(NOW - dt.timedelta(hours=1)):
        client_as(buyer).post(
            reverse("cases:get_help_send", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
        )
    response = client_as(buyer).post(
        reverse("cases:get_help_open", args=[order.pk]), {"description": "It never came.", "detail": "not_arrived"}
    )
    assert response.status_code == 409
    assert (
        "You can open a case from Sat 28 Nov, 11:00, if the problem is not solved by then." in response.content.decode()
    )
    assert not Case.objects.exists()


def test_opening_a_second_case_for_the_same_reason_is_refused(opened_case, order, buyer, at_now):
    response = client_as(buyer).post(
        reverse("cases:get_help_open", args=[order.pk]), {"description": "Again.", "detail": "delivery_stuck"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "already an open case" in html
    # the refusal links to the open case, where the buyer goes on
    assert f'href="{reverse("cases:case_detail", args=[opened_case.pk])}"' in html
    assert Case.objects.count() == 1


# The case page


def test_case_page_is_only_for_its_parties(opened_case, buyer, other_buyer, seller, marketplace):
    url = reverse("cases:case_detail", args=[opened_case.pk])
    other_seller = factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user
    assert client_as(buyer).get(url).status_code == 200
    assert client_as(seller).get(url).status_code == 200
    assert client_as(other_buyer).get(url).status_code == 404
    assert client_as(other_seller).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("web:login"))


def test_contact_is_recorded_once(order, buyer, contacted, at_now):
    client_as(buyer).post(reverse("cases:get_help_send", args=[order.pk]), {"description": "x", "detail": "damaged"})
    assert SellerContact.objects.get(order=order).contacted_at == CONTACTED_AT
