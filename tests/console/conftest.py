"""Fixtures of the console tests: the case tests' world (an escalated case, its parties, operators), reused."""

from __future__ import annotations

import pytest
from django.db import connection

from tests import factories
from tests.cases.conftest import *  # noqa: F403 - the case fixtures (order, escalated, reviewed, decided, …)
from tests.cases.conftest import client_as  # noqa: F401 - re-exported for the tests


@pytest.fixture
def other_operator(other_marketplace):
    """An operator of another marketplace: sees none of ours."""
    return factories.OperatorFactory(marketplace=other_marketplace)


@pytest.fixture
def second_operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace, display_name="Olga Second")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: asserts what only PostgreSQL enforces (a trigger)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # The suite runs on SQLite and on PostgreSQL (DATABASE_URL); the PostgreSQL run executes these.
    if item.get_closest_marker("postgres_only") is not None and connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only")
