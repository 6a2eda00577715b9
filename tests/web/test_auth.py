"""Sign-in, sign-out, lockout, password reset and the language switch."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-123"  # the factories' password


def test_sign_in_page_renders_the_form(client):
    # when
    response = client.get(reverse("web:login"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="field__label" for="id_username">' in html
    assert 'autocomplete="current-password"' in html


def test_sign_in_with_the_right_password_goes_home(client, buyer):
    # when
    response = client.post(reverse("web:login"), {"username": buyer.username, "password": PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_wrong_password_shows_the_form_again(client, buyer):
    # when
    response = client.post(reverse("web:login"), {"username": buyer.username, "password": "wrong"})
    # then
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_signed_in_user_is_sent_on_from_sign_in(client_as, buyer):
    # when
    response = client_as(buyer).get(reverse("web:login"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_five_wrong_passwords_lock_sign_in_with_429(client, buyer):
    # given
    for _ in range(5):
        client.post(reverse("web:login"), {"username": buyer.username, "password": "wrong"})
    # when
    response = client.post(reverse("web:login"), {"username": buyer.username, "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert (
        "Too many wrong passwords. For your safety, signing in is paused for 15 minutes." in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_demo_logins_are_shown_in_demo_mode(client, settings):
    # given
    settings.DEMO_MODE = True
    # when
    html = client.get(reverse("web:login")).content.decode()
    # then
    assert "Demo accounts" in html
    assert "<code>buyer</code>" in html
    assert "<code>operator</code>" in html
    assert "<code>demo</code>" in html


def test_demo_logins_are_hidden_outside_demo_mode(client, settings):
    # given
    settings.DEMO_MODE = False
    # when
    html = client.get(reverse("web:login")).content.decode()
    # then
    assert "Demo accounts" not in html


def test_sign_out_needs_a_post(client_as, buyer):
    # when
    response = client_as(buyer).get(reverse("web:logout"))
    # then
    assert response.status_code == 405


def test_sign_out_ends_the_session(client_as, buyer):
    # given
    client = client_as(buyer)
    # when
    response = client.post(reverse("web:logout"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:buyer_orders")).status_code == 302


def test_password_reset_sends_a_mail_with_a_working_link(client, buyer, settings):
    # given
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # when
    response = client.post(reverse("web:password_reset"), {"email": buyer.email})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [buyer.email]
    assert message.subject == "Reset your marketdesk password"
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", message.body)
    assert link is not None
    # and the link leads to the new-password form
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert form.context["validlink"] is True


def test_password_reset_for_an_unknown_address_sends_nothing(client, settings):
    # given
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # when
    response = client.post(reverse("web:password_reset"), {"email": "nobody@example.test"})
    # then
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_switch_persists_to_the_user(client_as, buyer):
    # given
    client = client_as(buyer)
    # when
    response = client.post(reverse("web:set_language"), {"language": "ru", "next": "/orders/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/orders/"
    buyer.refresh_from_db()
    assert buyer.language == "ru"
    assert '<html lang="ru">' in client.get("/orders/").content.decode()


def test_language_switch_sets_the_cookie_for_anonymous_visitors(client, settings):
    # when
    response = client.post(reverse("web:set_language"), {"language": "ru", "next": "/sign-in/"})
    # then
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert '<html lang="ru">' in client.get("/sign-in/").content.decode()


def test_language_switch_refuses_to_redirect_off_site(client_as, buyer):
    # when
    response = client_as(buyer).post(
        reverse("web:set_language"), {"language": "ru", "next": "https://evil.example/phish"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_language_switch_ignores_an_unknown_language(client_as, buyer):
    # when
    response = client_as(buyer).post(reverse("web:set_language"), {"language": "xx", "next": "/orders/"})
    # then
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.language == "en"
