"""``core.bulk.row_first``: one row by hand-written SQL, built into the instance the ORM would have built."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketdesk.accounts.models import ApiKey
from marketdesk.core.bulk import row_first

pytestmark = pytest.mark.django_db

USED_AT = dt.datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=dt.UTC)


@pytest.fixture
def key(marketplace) -> ApiKey:
    return ApiKey.objects.create(
        marketplace=marketplace, name="Integration", prefix="abc123", hashed_secret="f" * 64, last_used_at=USED_AT
    )


def test_a_narrowed_read_named_out_of_the_models_order_gives_each_field_its_own_value(key, marketplace):
    # when: the fields named in another order than the model declares them
    found = row_first(ApiKey, '"prefix" = %s', ["abc123"], fields=["last_used_at", "hashed_secret", "marketplace"])
    # then: each value in its own field, the time aware (UTC) as the ORM reads it
    assert (found.pk, found.marketplace_id, found.hashed_secret, found.last_used_at) == (
        key.pk,
        marketplace.pk,
        "f" * 64,
        USED_AT,
    )


def test_a_field_not_read_is_loaded_when_asked(key):
    # given
    found = row_first(ApiKey, '"prefix" = %s', ["abc123"], fields=["hashed_secret"])
    # when
    with CaptureQueriesContext(connection) as captured:
        name = found.name
    # then: deferred, as a narrowed ORM read leaves it: one query for it
    assert (name, len(captured)) == ("Integration", 1)


def test_a_full_read_is_the_row_the_orm_reads(key):
    # when
    found = row_first(ApiKey, '"id" = %s', [key.pk])
    # then
    expected = ApiKey.objects.get(pk=key.pk)
    names = [field.attname for field in ApiKey._meta.concrete_fields]
    assert [getattr(found, name) for name in names] == [getattr(expected, name) for name in names]
    assert found._state.adding is False


def test_no_match_is_none(key):
    # when / then
    assert row_first(ApiKey, '"prefix" = %s AND "revoked_at" IS NULL', ["nope"]) is None
