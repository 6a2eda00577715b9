"""Mail really leaves through SMTP: a password reset arrives at a live SMTP server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.urls import include, path

from tests.conftest import SmtpSink

# The reset mail links to Django's own reset views; route them here so this test is about SMTP
# delivery and does not depend on which URLs the web app exposes.
urlpatterns = [path("accounts/", include("django.contrib.auth.urls"))]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_password_reset_mail_arrives_over_smtp(smtp_sink: SmtpSink, buyer) -> None:
    # given a buyer with an email address
    form = PasswordResetForm(data={"email": buyer.email})
    assert form.is_valid(), form.errors

    # when the password-reset form is submitted
    form.save(domain_override="desk.example.test", use_https=True)

    # then exactly one message reached the SMTP server, addressed to the buyer, with a reset link
    (received,) = smtp_sink.wait_for(1)
    assert received.rcpt_tos == [buyer.email]
    assert received.message["To"] == buyer.email
    assert "desk.example.test" in received.subject
    assert re.search(r"https://desk\.example\.test/\S+/\S+", received.body)


def test_send_mail_arrives_with_envelope_and_headers(smtp_sink: SmtpSink) -> None:
    # when a plain message is sent through the default mailer
    sent = send_mail("Case 42 updated", "The seller replied.", "desk@example.test", ["buyer@example.test"])

    # then the SMTP server received it with the same envelope, headers and body
    assert sent == 1
    (received,) = smtp_sink.wait_for(1)
    assert received.mail_from == "desk@example.test"
    assert received.rcpt_tos == ["buyer@example.test"]
    assert received.subject == "Case 42 updated"
    assert received.body.strip() == "The seller replied."
