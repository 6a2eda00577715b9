"""Throttles of the sign-in and password-reset pages, each named after the attack it stops."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-123"  # the factories' password

LOCMEM_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_ten_password_resets_for_one_address_send_three_mails(client, buyer, settings):
    # given: three reset mails per address an hour
    settings.MAILERS = LOCMEM_MAIL
    settings.THROTTLES = {**settings.THROTTLES, "password_reset_address": (3, 3600)}
    # when
    responses = [client.post(reverse("web:password_reset"), {"email": buyer.email}) for _ in range(10)]
    # then: every answer is the same redirect, and only three mails went out
    assert [r.status_code for r in responses] == [302] * 10
    assert {r["Location"] for r in responses} == {reverse("web:password_reset_done")}
    assert len(mail.outbox) == 3


def test_password_resets_for_many_addresses_from_one_client_are_capped(client, marketplace, settings):
    # given: four reset mails per client address an hour, and six people
    settings.MAILERS = LOCMEM_MAIL
    settings.THROTTLES = {**settings.THROTTLES, "password_reset_client": (4, 3600)}
    people = factories.BuyerFactory.create_batch(6, marketplace=marketplace)
    # when
    responses = [client.post(reverse("web:password_reset"), {"email": p.email}) for p in people]
    # then
    assert [r.status_code for r in responses] == [302] * 6
    assert len(mail.outbox) == 4
    # and another client address is counted on its own
    client.post(reverse("web:password_reset"), {"email": people[5].email}, REMOTE_ADDR="10.0.0.9")
    assert len(mail.outbox) == 5


def test_password_reset_over_the_limit_answers_as_for_an_unknown_address(client, buyer, settings):
    # given: the address has used its one mail
    settings.MAILERS = LOCMEM_MAIL
    settings.THROTTLES = {**settings.THROTTLES, "password_reset_address": (1, 3600)}
    client.post(reverse("web:password_reset"), {"email": buyer.email})
    # when
    known = client.post(reverse("web:password_reset"), {"email": buyer.email}, follow=True)
    unknown = client.post(reverse("web:password_reset"), {"email": "nobody@example.test"}, follow=True)
    # then
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("web:password_reset_done"), 302)]
    assert len(mail.outbox) == 1


def test_one_wrong_password_for_each_of_many_usernames_pauses_the_client_address(client, buyer, settings):
    # given: five wrong passwords from one address, each for another username
    settings.THROTTLES = {**settings.THROTTLES, "sign_in_client": (5, 900)}
    for n in range(5):
        client.post(reverse("web:login"), {"username": f"guess{n}", "password": "wrong"})
    # when: the right password for a real account from the same address
    response = client.post(reverse("web:login"), {"username": buyer.username, "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert "signing in is paused for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and the same person from another address signs in
    elsewhere = client.post(
        reverse("web:login"), {"username": buyer.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert elsewhere.status_code == 302
    assert "_auth_user_id" in client.session
