"""Support's review pages: each role, another marketplace's support, keyset pages, flags in the conversation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.messaging.services import order_message_post
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.selectors import PAGE_SIZE
from tests.cases.conftest import client_as
from tests.safety.conftest import PAYMENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(order, seller):
    message = order_message_post(actor=Actor.for_user(seller), order=order, body=PAYMENT)
    return MessageFlag.objects.get(message=message)


def test_the_operator_sees_the_flag_in_the_list_and_its_page(flag, operator):
    client = client_as(operator)
    listing = client.get(reverse("safety:flags"))
    detail = client.get(reverse("safety:flag", args=[flag.pk]))
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert f'data-flag="{flag.pk}"' in listing.content.decode()
    assert PAYMENT in detail.content.decode()


def test_the_list_is_in_russian_for_a_russian_operator(flag, operator):
    operator.language = "ru"
    operator.save(update_fields=["language"])
    response = client_as(operator).get(reverse("safety:flags"), headers={"accept-language": "ru"})
    assert "Сообщения на проверке" in response.content.decode()


@pytest.mark.parametrize("who", ["buyer", "seller"])
@pytest.mark.parametrize("name", ["safety:flags", "safety:flag"])
def test_the_parties_get_404_from_the_review_pages(flag, who, name, request):
    args = [flag.pk] if name == "safety:flag" else []
    response = client_as(request.getfixturevalue(who)).get(reverse(name, args=args))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["buyer", "seller"])
@pytest.mark.parametrize("action", ["safety:release", "safety:block"])
def test_the_parties_get_404_from_the_review_actions(flag, who, action, request):
    response = client_as(request.getfixturevalue(who)).post(reverse(action, args=[flag.pk]))
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == "held"


def test_support_of_another_marketplace_gets_404_and_an_empty_list(flag, other_operator):
    client = client_as(other_operator)
    assert client.get(reverse("safety:flag", args=[flag.pk])).status_code == 404
    assert client.post(reverse("safety:block", args=[flag.pk])).status_code == 404
    assert f'data-flag="{flag.pk}"' not in client.get(reverse("safety:flags")).content.decode()


def test_the_operator_blocks_through_the_page(flag, operator):
    response = client_as(operator).post(reverse("safety:block", args=[flag.pk]))
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "blocked"


def test_a_second_block_through_the_page_answers_the_same(flag, operator):
    client = client_as(operator)
    client.post(reverse("safety:block", args=[flag.pk]))
    response = client.post(reverse("safety:block", args=[flag.pk]))
    assert response.status_code == 302


def test_the_list_pages_by_keyset_in_a_constant_number_of_queries(
    order, seller, operator, django_assert_max_num_queries
):
    for i in range(PAGE_SIZE + 3):
        order_message_post(actor=Actor.for_user(seller), order=order, body=f"{PAYMENT} {i}")
    client = client_as(operator)
    client.get(reverse("safety:flags"))  # the session and the user, read once
    with django_assert_max_num_queries(8):
        first = client.get(reverse("safety:flags"))
    page = first.content.decode()
    assert page.count("data-flag=") == PAGE_SIZE
    cursor = first.context["next_cursor"]
    second = client.get(reverse("safety:flags"), {"before": cursor})
    assert second.content.decode().count("data-flag=") == 3


def test_the_operator_sees_the_flag_in_the_conversation_once_support_joined(flag, order, operator):
    thread = order.thread
    thread.operators_joined_at = flag.created_at
    thread.save(update_fields=["operators_joined_at"])
    response = client_as(operator).get(reverse("messaging:conversation", args=[order.pk]))
    text = response.content.decode()
    assert (PAYMENT in text, "Flagged" in text, reverse("safety:flag", args=[flag.pk]) in text) == (True, True, True)
