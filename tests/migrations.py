"""Helpers of the migration tests: move the test database to some migrations, then back to the latest.

Migration tests are transactional (migrations run outside a test transaction), and pytest-django runs
them after the others; the transactional tests that follow expect every app at its latest migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to ``targets``; return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def schema_back_to_the_latest() -> Iterator[None]:
    """Leave the database at every app's latest migration, as the transactional tests after this one expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
