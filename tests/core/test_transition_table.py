"""Each code table says exactly what the hand-written page (``tests/transition_spec.py``) says."""

from __future__ import annotations

import pytest

from marketdesk.attachments.states import ATTACHMENT_TRANSITIONS
from marketdesk.cases.models import OFFER_TRANSITIONS
from marketdesk.cases.states import CASE_TRANSITIONS
from marketdesk.core.transitions import TransitionTable
from marketdesk.ledger.models import HOLD_TRANSITIONS, INSTRUCTION_TRANSITIONS
from marketdesk.notifications.models import DELIVERY_TRANSITIONS
from marketdesk.orders.states import ORDER_TRANSITIONS
from marketdesk.returns.states import RETURN_TRANSITIONS
from marketdesk.safety.states import TRANSITIONS as MESSAGE_FLAG_TRANSITIONS
from marketdesk.shipping.states import CHANGE_TRANSITIONS, INVESTIGATION_TRANSITIONS
from marketdesk.standards.models import JOB_TRANSITIONS
from marketdesk.standards.states import ENFORCEMENT_TRANSITIONS
from tests import transition_spec as spec

TABLES = [
    pytest.param(CASE_TRANSITIONS, spec.CASES, id="cases"),
    pytest.param(OFFER_TRANSITIONS, spec.OFFERS, id="offers"),
    pytest.param(RETURN_TRANSITIONS, spec.RETURNS, id="returns"),
    pytest.param(INSTRUCTION_TRANSITIONS, spec.LEDGER_INSTRUCTIONS, id="ledger-instructions"),
    pytest.param(HOLD_TRANSITIONS, spec.PAYOUT_HOLDS, id="payout-holds"),
    pytest.param(DELIVERY_TRANSITIONS, spec.WEBHOOK_DELIVERIES, id="webhook-deliveries"),
    pytest.param(JOB_TRANSITIONS, spec.STANDARDS_JOBS, id="standards-jobs"),
    pytest.param(ENFORCEMENT_TRANSITIONS, spec.ENFORCEMENTS, id="enforcements"),
    pytest.param(ORDER_TRANSITIONS, spec.ORDERS, id="orders"),
    pytest.param(CHANGE_TRANSITIONS, spec.DELIVERY_CHANGES, id="delivery-changes"),
    pytest.param(INVESTIGATION_TRANSITIONS, spec.INVESTIGATIONS, id="investigations"),
    pytest.param(ATTACHMENT_TRANSITIONS, spec.ATTACHMENTS, id="attachments"),
    pytest.param(MESSAGE_FLAG_TRANSITIONS, spec.MESSAGE_FLAGS, id="message-flags"),
]


@pytest.mark.parametrize(("table", "expected"), TABLES)
def test_the_code_table_grants_exactly_the_moves_the_page_lists(table: TransitionTable, expected: spec.Spec):
    # Given the code's table as (from, to, role) triples, and the page's
    granted = {(m.source, m.target, role) for m in table.moves for role in m.roles}
    written = {(source, target, role) for (source, target), roles in expected.items() for role in roles}

    # Then neither grants a move the other refuses
    assert sorted(granted - written) == []
    assert sorted(written - granted) == []


@pytest.mark.parametrize(("table", "expected"), TABLES)
def test_the_page_names_only_real_statuses(table: TransitionTable, expected: spec.Spec):
    states = set(table.states.values)

    assert {s for pair in expected for s in pair} - states == set()


def test_the_page_is_read_line_by_line():
    # A smoke check of the reader itself, so a typo in the page cannot silently drop a line.
    assert spec.parse("a -> b : x, y  # why\n\n# note\nb -> a : z") == {
        ("a", "b"): frozenset({"x", "y"}),
        ("b", "a"): frozenset({"z"}),
    }
