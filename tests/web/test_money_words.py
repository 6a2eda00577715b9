"""Money on the order page, in the reader's language (Babel's figures, CLDR's spacing) and payment methods in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.orders.models import OrderLine
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rouble_order(buyer, shop, marketplace):
    order = factories.OrderFactory(
        buyer=buyer, shop=shop, marketplace=marketplace, currency="RUB", total_minor=428900, lines=[]
    )
    OrderLine.objects.create(
        order=order, external_id="L1", title="Самовар", quantity=1, unit_price_minor=428900, total_minor=428900
    )
    factories.PaymentFactory(order=order, method="apple_pay", amount_minor=428900, currency="RUB")
    return order


@pytest.mark.parametrize(
    ("language", "money", "method"),
    [("ru", "4\xa0289,00\xa0₽", "Apple Pay"), ("en", "RUB\xa04,289.00", "Apple Pay")],
)
def test_a_buyer_reads_a_rouble_order_in_their_languages_money(client_as, buyer, rouble_order, language, money, method):
    # given a buyer reading in this language
    buyer.language = language
    buyer.save(update_fields=["language"])

    # when they open their order paid in roubles with Apple Pay
    page = client_as(buyer).get(reverse("web:order_detail", args=[rouble_order.pk]))

    # then the total reads "4 289,00 ₽" in Russian and "RUB 4,289.00" in English, and the method is words
    html = page.content.decode()
    assert page.status_code == 200
    assert money in html
    assert "RUB4" not in html
    assert method in html
    assert "apple_pay" not in html


def test_a_russian_buyer_reads_a_card_payment_as_a_word_of_their_language(client_as, buyer, order):
    # given a Russian reader and an order paid by card
    buyer.language = "ru"
    buyer.save(update_fields=["language"])
    factories.PaymentFactory(order=order, method="card")

    # when they open the order
    html = client_as(buyer).get(reverse("web:order_detail", args=[order.pk])).content.decode()

    # then the method reads "Карта", not the code
    assert "Карта" in html
    assert ">card<" not in html.lower()
