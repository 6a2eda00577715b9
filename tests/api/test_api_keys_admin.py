"""API keys in the admin and on the command line: created through the service, secret shown once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from marketdesk.accounts.models import ApiKey
from marketdesk.accounts.services import api_key_authenticate
from tests.api.helpers import session_client

pytestmark = pytest.mark.django_db


def test_adding_a_key_in_the_admin_shows_its_secret_once(admin_user, marketplace):
    client = session_client(admin_user)

    response = client.post(
        "/admin/accounts/apikey/add/", {"marketplace": marketplace.pk, "name": "Order feed"}, follow=True
    )

    assert response.status_code == 200
    key = ApiKey.objects.get(name="Order feed")
    secret = next(str(m).rsplit(" ", 1)[-1] for m in response.context["messages"] if "mdk_" in str(m))
    assert api_key_authenticate(secret) == key
    assert key.created_by == admin_user
    assert key.hashed_secret not in response.content.decode()
    assert secret not in client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()


def test_the_key_list_never_shows_the_hash(admin_user, api_key):
    response = session_client(admin_user).get("/admin/accounts/apikey/")

    assert response.status_code == 200
    assert api_key[0].prefix in response.content.decode()
    assert api_key[0].hashed_secret not in response.content.decode()


def test_the_revoke_action_revokes_through_the_service(admin_user, api_key):
    response = session_client(admin_user).post(
        "/admin/accounts/apikey/", {"action": "revoke_keys", "_selected_action": [api_key[0].pk]}, follow=True
    )

    assert response.status_code == 200
    assert ApiKey.objects.get(pk=api_key[0].pk).revoked_at is not None
    assert api_key_authenticate(api_key[1]) is None


def test_a_revoked_key_is_then_refused_by_the_api(admin_user, api_key):
    session_client(admin_user).post(
        "/admin/accounts/apikey/", {"action": "revoke_keys", "_selected_action": [api_key[0].pk]}
    )

    response = Client(headers={"Authorization": f"Bearer {api_key[1]}"}).get("/api/v1/orders")

    assert response.status_code == 401


def test_the_user_admin_shows_the_marketdesk_fields(admin_user, buyer):
    response = session_client(admin_user).get(f"/admin/accounts/user/{buyer.pk}/change/")

    assert response.status_code == 200
    assert 'name="role"' in response.content.decode()
    assert 'name="external_id"' in response.content.decode()


def test_the_command_prints_a_working_secret(marketplace):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_key", "--marketplace", marketplace.slug, "--name", "CLI key", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    assert api_key_authenticate(secret) == ApiKey.objects.get(name="CLI key")
    assert "shown this once" in err.getvalue()


def test_the_command_refuses_an_unknown_marketplace(db):
    with pytest.raises(CommandError, match="no-such-market"):
        call_command("create_api_key", "--marketplace", "no-such-market", "--name", "x", stdout=io.StringIO())
