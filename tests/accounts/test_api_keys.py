"""API keys: the secret is shown once, only its hash is stored, revoked keys stop working."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from marketdesk.accounts.models import ApiKey
from marketdesk.accounts.services import api_key_authenticate, api_key_create, api_key_revoke, user_set_language
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_user):
    return Actor.for_user(admin_user)


@pytest.fixture
def issued(admin, marketplace):
    return api_key_create(actor=admin, marketplace=marketplace, name="  Checkout feed  ")


def test_create_returns_the_secret_once_and_stores_only_its_sha256(issued, admin_user, marketplace):
    key, raw = issued

    stored = ApiKey.objects.values().get(pk=key.pk)

    assert raw.startswith(f"mdk_{key.prefix}_")
    assert len(raw) > len(f"mdk_{key.prefix}_") + 40
    assert stored["hashed_secret"] == hashlib.sha256(raw.encode()).hexdigest()
    assert [value for value in stored.values() if isinstance(value, str) and raw in value] == []
    assert (key.name, key.marketplace, key.created_by, key.revoked_at) == (
        "Checkout feed",
        marketplace,
        admin_user,
        None,
    )


def test_each_key_gets_its_own_prefix_and_secret(admin, marketplace):
    first = api_key_create(actor=admin, marketplace=marketplace, name="One")
    second = api_key_create(actor=admin, marketplace=marketplace, name="Two")

    assert (first[0].prefix != second[0].prefix, first[1] != second[1]) == (True, True)


def test_authenticate_returns_the_key_and_marks_it_used(issued, frozen_clock):
    key, raw = issued

    found = api_key_authenticate(raw)

    assert found == key
    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOW


def test_last_used_is_written_at_most_once_a_minute(issued, frozen_clock):
    key, raw = issued
    api_key_authenticate(raw)
    frozen_clock.advance(dt.timedelta(seconds=60))
    api_key_authenticate(raw)
    within_a_minute = ApiKey.objects.get(pk=key.pk).last_used_at
    frozen_clock.advance(dt.timedelta(seconds=1))
    api_key_authenticate(raw)

    assert (within_a_minute, ApiKey.objects.get(pk=key.pk).last_used_at) == (NOW, NOW + dt.timedelta(seconds=61))


def flip_last_character(raw: str) -> str:
    return raw[:-1] + chr(ord(raw[-1]) ^ 1)


@pytest.mark.parametrize(
    "present",
    [
        pytest.param(flip_last_character, id="wrong-secret-right-prefix"),
        pytest.param(lambda raw: raw[:-1], id="truncated"),
        pytest.param(lambda raw: raw + "x", id="extended"),
        pytest.param(lambda raw: raw.removeprefix("mdk_"), id="without-scheme"),
        pytest.param(lambda raw: "mdk_000000000000_" + raw.split("_", 2)[2], id="unknown-prefix"),
        pytest.param(lambda raw: "", id="empty"),
    ],
)
def test_anything_but_the_exact_secret_fails(issued, present):
    key, raw = issued

    assert api_key_authenticate(present(raw)) is None
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None


def test_revoked_key_fails(issued, admin, frozen_clock):
    key, raw = issued

    revoked = api_key_revoke(actor=admin, key_id=key.pk)

    assert revoked.revoked_at == NOW
    assert api_key_authenticate(raw) is None


def test_revoking_twice_keeps_the_first_time(issued, admin, frozen_clock):
    key, _raw = issued
    api_key_revoke(actor=admin, key_id=key.pk)
    frozen_clock.advance(dt.timedelta(hours=1))

    again = api_key_revoke(actor=admin, key_id=key.pk)

    assert again.revoked_at == NOW


def test_revoking_an_unknown_key_is_not_found(admin):
    with pytest.raises(NotFound):
        api_key_revoke(actor=admin, key_id=987654)


NOT_ADMINS = [
    pytest.param(lambda m: Actor.for_user(factories.BuyerFactory(marketplace=m)), id="buyer"),
    pytest.param(lambda m: Actor.for_user(factories.SellerFactory(marketplace=m)), id="seller"),
    pytest.param(lambda m: Actor.for_user(factories.OperatorFactory(marketplace=m)), id="operator"),
    pytest.param(lambda m: Actor.marketplace(marketplace_id=m.pk), id="marketplace"),
]


@pytest.mark.parametrize("make_actor", NOT_ADMINS)
def test_non_admin_may_not_create_a_key(marketplace, make_actor):
    with pytest.raises(PermissionDenied):
        api_key_create(actor=make_actor(marketplace), marketplace=marketplace, name="Sneaky")

    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("make_actor", NOT_ADMINS)
def test_non_admin_may_not_revoke_a_key(issued, marketplace, make_actor):
    key, raw = issued

    with pytest.raises(PermissionDenied):
        api_key_revoke(actor=make_actor(marketplace), key_id=key.pk)

    assert api_key_authenticate(raw) == key


def test_system_may_create_a_key(marketplace):
    key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Bootstrap")

    assert (api_key_authenticate(raw), key.created_by) == (key, None)


@pytest.mark.parametrize("name", ["", "   "])
def test_key_needs_a_name(admin, marketplace, name):
    with pytest.raises(DomainValidationError) as refused:
        api_key_create(actor=admin, marketplace=marketplace, name=name)

    assert refused.value.field == "name"
    assert ApiKey.objects.count() == 0


def test_user_language_is_saved(buyer):
    user_set_language(user=buyer, language="ru")

    buyer.refresh_from_db()
    assert buyer.language == "ru"


def test_unknown_language_is_refused(buyer):
    with pytest.raises(DomainValidationError) as refused:
        user_set_language(user=buyer, language="fr")

    buyer.refresh_from_db()
    assert (refused.value.field, buyer.language) == ("language", "en")
