"""Fixtures and markers of the core tests."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgres_only: asserts something only PostgreSQL enforces (e.g. a trigger); skipped elsewhere",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    # The suite runs on SQLite and on PostgreSQL (DATABASE_URL); the PostgreSQL run executes these.
    if item.get_closest_marker("postgres_only") is not None and connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only")
