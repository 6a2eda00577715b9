"""Sellers' quick replies in English and Russian: written, changed and deleted from the seller's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.messaging.models import QuickReply
from marketdesk.messaging.services import quick_reply_save
from tests import factories
from tests.cases.conftest import client_as

pytestmark = pytest.mark.django_db

URL = "messaging:quick_replies"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_seller(marketplace):
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


@pytest.fixture
def reply(seller, shop) -> QuickReply:
    return quick_reply_save(actor=Actor.for_user(seller), shop_id=shop.pk, title="Shipped", body="It left today.")


@pytest.mark.parametrize(
    ("who", "status"), [("seller", 200), ("buyer", 403), ("operator", 403), ("admin_user", 403), (None, 302)]
)
def test_the_page_by_role(request, who, status):
    user = request.getfixturevalue(who) if who else None

    assert client_as(user).get(reverse(URL)).status_code == status


def test_a_seller_writes_a_reply_in_russian(seller, shop):
    # when
    response = client_as(seller).post(
        reverse(URL), {"title": "Отправили", "language": "ru", "body": "Заказ уехал сегодня."}
    )
    # then
    assert response.status_code == 302
    saved = QuickReply.objects.get()
    assert (saved.shop, saved.language, saved.body) == (shop, "ru", "Заказ уехал сегодня.")


def test_a_seller_changes_a_reply_and_its_language(seller, reply):
    # given
    page = client_as(seller).get(reverse(URL), {"edit": reply.pk}).content.decode()
    # when
    response = client_as(seller).post(
        reverse(URL), {"reply": reply.pk, "title": "Отправили", "language": "ru", "body": "Уехал сегодня."}
    )
    # then
    assert 'value="Shipped"' in page
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.title, reply.language, reply.body) == ("Отправили", "ru", "Уехал сегодня.")
    assert QuickReply.objects.count() == 1


def test_another_sellers_reply_cannot_be_opened_or_changed(other_seller, reply):
    client = client_as(other_seller)

    opened = client.get(reverse(URL), {"edit": reply.pk})
    changed = client.post(reverse(URL), {"reply": reply.pk, "title": "Mine", "language": "en", "body": "Mine"})

    assert (opened.status_code, changed.status_code) == (404, 404)
    reply.refresh_from_db()
    assert reply.title == "Shipped"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "language": "en", "body": "Hi"}, "title"),
        ({"title": "Hi", "language": "de", "body": "Hi"}, "language"),
        ({"title": "Hi", "language": "en", "body": ""}, "body"),
        ({"title": "x" * 81, "language": "en", "body": "Hi"}, "title"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(seller, data, field):
    response = client_as(seller).post(reverse(URL), data)

    assert response.status_code == 422
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not QuickReply.objects.exists()


def test_the_composer_offers_the_buyers_language_first(seller, shop, buyer):
    # given a buyer reading Russian and a reply in each language
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    order = factories.OrderFactory(marketplace=shop.marketplace, shop=shop, buyer=buyer)
    owner = Actor.for_user(seller)
    quick_reply_save(actor=owner, shop_id=shop.pk, title="Shipped", body="It left.", language="en")
    quick_reply_save(actor=owner, shop_id=shop.pk, title="Отправили", body="Уехал.", language="ru")
    # when
    page = client_as(seller).get(reverse("messaging:conversation", args=[order.pk])).content.decode()
    # then
    assert page.index("Отправили") < page.index("Shipped")
