"""cases 0009 keeps the marketplace on the case: existing cases get their shop's, and the triggers keeping the
queue's counts survive SQLite's rebuild of the table (console 0010 puts them back and recounts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.cases.conftest import NOW
from tests.migrations import migrate, schema_back_to_the_latest  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0008_dashboard_opened_index"), ("console", "0009_return_count_triggers_restored")]
AFTER = [("cases", "0009_case_marketplace"), ("console", "0010_case_count_triggers_restored")]
CASE_TRIGGERS = {
    "sqlite": {"console_queuecount_case_ins", "console_queuecount_case_upd", "console_queuecount_case_del"},
    "postgresql": {"console_queuecount_case_insdel", "console_queuecount_case_upd"},
}


def _case_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases_case'")
        else:
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relname = 'cases_case'"
            )
        return {name for (name,) in cursor.fetchall()}


def test_existing_cases_get_their_shops_marketplace_and_the_counts_keep_counting():
    from tests import factories

    apps = migrate(BEFORE)
    Case = apps.get_model("cases", "Case")
    Order = apps.get_model("orders", "Order")
    # Two marketplaces, a case in each.
    elsewhere = factories.MarketplaceFactory(slug="market-other")
    first = factories.OrderFactory()
    second = factories.OrderFactory(marketplace=elsewhere, shop=factories.ShopFactory(marketplace=elsewhere))
    assert first.marketplace_id != second.marketplace_id
    made = {}
    for real in (first, second):
        order = Order.objects.get(pk=real.pk)
        made[real.marketplace_id] = Case.objects.create(
            order=order, buyer_id=order.buyer_id, shop_id=order.shop_id, case_type="other", description="x",
            status="escalated", seller_due_at=NOW, policy_version=0, opened_at=NOW - dt.timedelta(days=1),
        )  # fmt: skip

    apps = migrate(AFTER)
    Case = apps.get_model("cases", "Case")
    QueueCount = apps.get_model("console", "QueueCount")
    Order = apps.get_model("orders", "Order")

    # Then each case holds its shop's marketplace.
    for marketplace_id, case in made.items():
        assert Case.objects.get(pk=case.pk).marketplace_id == marketplace_id
    # And the triggers are there: a case written now is counted, and the older ones were recounted.
    assert _case_triggers() == CASE_TRIGGERS[connection.vendor]
    order = Order.objects.get(pk=first.pk)
    Case.objects.create(
        order=order, buyer_id=order.buyer_id, shop_id=order.shop_id, marketplace_id=first.marketplace_id,
        case_type="item_not_received", description="x", status="escalated", seller_due_at=NOW, policy_version=0,
    )  # fmt: skip
    kept = QueueCount.objects.filter(marketplace_id=first.marketplace_id, kind="case", status="escalated")
    assert sum(kept.values_list("n", flat=True)) == 2


def test_migrating_back_keeps_the_count_triggers():
    # Given the latest schema, when cases 0009 is undone (SQLite rebuilds the table once more)
    migrate(BEFORE)
    # Then the triggers keeping the cases' queue counts are still there
    assert _case_triggers() == CASE_TRIGGERS[connection.vendor]
