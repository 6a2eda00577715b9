"""A refund's amount reads in the money of each reader's language, whoever's language it was made in."""

from __future__ import annotations

import pytest

from tests.returns.conftest import client_as, inspect_all

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "amount"), [("ru", "50,00\xa0£"), ("en", "£50.00")])
def test_the_buyer_reads_the_refund_in_the_bell_in_their_own_money_format(
    received, seller_actor, buyer, language, amount
):
    # given a seller refunds the two scarves of a received return (the seller works in English)
    inspect_all(seller_actor, received)

    # when the buyer, reading in this language, opens the bell
    buyer.language = language
    buyer.save(update_fields=["language"])
    page = client_as(buyer).get("/notifications/")

    # then the refund's amount is worded for them
    assert page.status_code == 200
    assert f"{received.code}" in page.content.decode()
    assert amount in page.content.decode()
