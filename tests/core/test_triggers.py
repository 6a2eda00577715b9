"""Every database trigger the migrations install is there after ``migrate``, on the table it belongs to.

A migration that rebuilds a table on SQLite (an ``AlterField`` SQLite cannot do in place) drops the table's
triggers with it; the kept counts then silently stop counting. This happened twice (orders 0005, returns
0005). The lists below are written out from the migrations that create the triggers (console 0002 and 0006,
core 0002, orders 0004), not read from the database: a trigger lost by a later migration fails here.
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# The kept counts of the queue (console 0006) and of the order lists (orders 0004), one trigger per event.
SQLITE = {
    ("console_queuecount_case_ins", "cases_case"),
    ("console_queuecount_case_upd", "cases_case"),
    ("console_queuecount_case_del", "cases_case"),
    ("console_queuecount_return_ins", "returns_return"),
    ("console_queuecount_return_upd", "returns_return"),
    ("console_queuecount_return_del", "returns_return"),
    ("orders_ordercount_ins", "orders_order"),
    ("orders_ordercount_upd", "orders_order"),
    ("orders_ordercount_del", "orders_order"),
}
# On PostgreSQL the counts take one trigger for insert and delete, one for update; and the audit log and the
# timeline refuse changes in the database itself (console 0002, core 0002).
POSTGRESQL = {
    ("console_queuecount_case_insdel", "cases_case"),
    ("console_queuecount_case_upd", "cases_case"),
    ("console_queuecount_return_insdel", "returns_return"),
    ("console_queuecount_return_upd", "returns_return"),
    ("orders_ordercount_insdel", "orders_order"),
    ("orders_ordercount_upd", "orders_order"),
    ("console_audit_append_only", "console_auditentry"),
    ("core_timeline_append_only", "core_timelineevent"),
}


EXPECTED = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
# The triggers a user created, with their tables (on PostgreSQL, enabled ones only: a bulk load may turn them off).
LISTED = {
    "sqlite": "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": (
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
    ),
}


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(LISTED[connection.vendor])
        return {(name, table) for name, table in cursor.fetchall()}


def test_every_trigger_the_migrations_install_is_there_and_enabled_after_migrate():
    # Given the test database, migrated to every app's latest migration
    # When its triggers are listed
    found = _triggers()
    # Then they are exactly the ones the migrations install, each on its table
    assert found == EXPECTED[connection.vendor]
