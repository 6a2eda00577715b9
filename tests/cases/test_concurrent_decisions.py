"""Two operators decide one case at the same moment: one wins, the other is told who decided.

Real threads need real commits and row locks, so this runs on PostgreSQL only
(SQLite serialises whole-database writes and has no ``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from marketdesk.cases.models import Decision, DecisionOutcome, Payer
from marketdesk.cases.services.decisions import AlreadyDecided, case_decide
from marketdesk.cases.services.offers import case_escalate
from marketdesk.cases.services.review import case_review_start
from marketdesk.ledger.models import LedgerEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL"),
]


def test_two_operators_deciding_at_once_record_one_decision_and_one_ledger_set(
    opened_case, buyer_actor, operator_actor, second_operator_actor, at_now
):
    at_now.advance(dt.timedelta(days=6))
    case_escalate(actor=buyer_actor, case=opened_case)
    case = case_review_start(actor=operator_actor, case=opened_case)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name: str, actor) -> None:
        try:
            start.wait()
            outcomes[name] = case_decide(
                actor=actor,
                case=case,
                outcome=DecisionOutcome.BUYER_FULL_REFUND,
                payer=Payer.SELLER,
                reason_code="not_received_no_proof",
                rationale="No proof of delivery.",
            )
        except AlreadyDecided as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("first", operator_actor)),
        threading.Thread(target=decide, args=("second", second_operator_actor)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    decision = Decision.objects.select_related("decided_by").get()
    refused = [o for o in outcomes.values() if isinstance(o, AlreadyDecided)]
    assert [o.extra for o in refused] == [{"decided_by": decision.decided_by.name}]
    assert LedgerEntry.objects.filter(case_id=case.pk).count() == 1
    assert len(outcomes) == 2
