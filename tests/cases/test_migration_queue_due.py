"""cases 0004 fills the stored queue deadline of existing cases as Case.queue_due() would, with support's
deadline moved by the waits for answers already given (the console used to add them when showing it)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cases.conftest import NOW
from tests.migrations import migrate, schema_back_to_the_latest  # noqa: F401 (an autouse fixture)

# Transactional (migrations run outside a test transaction); pytest-django runs such tests after the others.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("cases", "0003_case_assigned_at_case_assignee_and_more"),
    ("returns", "0002_replacement_and_return_shipments"),
]
AFTER = [("cases", "0004_case_queue_due_at"), ("returns", "0003_return_queue_due_at")]
HOUR = dt.timedelta(hours=1)


def test_existing_cases_get_the_deadline_that_matters_now():
    from tests import factories

    apps = migrate(BEFORE)
    Case = apps.get_model("cases", "Case")
    InfoRequest = apps.get_model("cases", "InfoRequest")
    Decision = apps.get_model("cases", "Decision")
    Order = apps.get_model("orders", "Order")
    User = apps.get_model("accounts", "User")
    real = factories.OrderFactory()
    order, buyer = Order.objects.get(pk=real.pk), User.objects.get(pk=real.buyer_id)

    def case(status, case_type, **fields):  # one open case per order and reason
        return Case.objects.create(
            order=order, buyer=buyer, shop_id=order.shop_id, case_type=case_type, description="x", status=status,
            seller_due_at=NOW + HOUR, policy_version=0, **fields,
        )  # fmt: skip

    waiting = case("awaiting_seller", "other")
    reviewed = case("under_review", "item_not_received", escalated_at=NOW - 50 * HOUR, decision_due_at=NOW - 2 * HOUR)
    InfoRequest.objects.create(case=reviewed, party="buyer", question="?", asked_at=NOW - 40 * HOUR,
                               answered_at=NOW - 35 * HOUR, due_at=NOW)  # fmt: skip
    decided = case("decided", "not_as_described", escalated_at=NOW - 90 * HOUR)
    Decision.objects.create(case=decided, outcome="seller_wins", payer="none", amount_minor=0, currency="GBP",
                            reason_code="other", rationale="x", policy_version=0, decided_at=NOW - 10 * HOUR,
                            decided_by=buyer)  # fmt: skip
    closed = case("closed", "other")

    apps = migrate(AFTER)
    Case = apps.get_model("cases", "Case")
    got = {c.pk: c for c in Case.objects.all()}

    assert got[waiting.pk].queue_due_at == NOW + HOUR
    # The buyer took five hours to answer: support's deadline moves by them.
    assert got[reviewed.pk].decision_due_at == got[reviewed.pk].queue_due_at == NOW + 3 * HOUR
    assert got[decided.pk].appeal_due_at == got[decided.pk].queue_due_at == NOW - 10 * HOUR + dt.timedelta(days=30)
    assert got[closed.pk].queue_due_at.year == 9999
