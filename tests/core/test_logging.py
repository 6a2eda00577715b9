"""What the server prints: each line once, and a refused page without a stack trace."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils.log import configure_logging

pytestmark = pytest.mark.django_db


@pytest.fixture
def logging_restored():
    """Configure logging afresh after the test, bound to the stderr the other tests print to."""
    yield
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


@pytest.mark.parametrize("debug", [True, False])
def test_a_refused_page_is_logged_once_and_without_a_stack(logging_restored, operator, capsys, settings, debug):
    # given the server's logging as the settings configure it, printing to this test's stderr, debug on or off
    settings.DEBUG = debug
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    # and an operator, who may not open the parties' return list
    client = Client()
    client.force_login(operator)

    # when they open it anyway
    response = client.get(reverse("returns:return_list"))

    # then the server printed one line for it, with no traceback
    assert response.status_code == 403
    printed = capsys.readouterr().err
    assert printed.count("Forbidden (Permission denied): /returns/") == 1
    assert "Traceback" not in printed
