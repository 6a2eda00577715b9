"""A case's entries in the history's full-text index: its description and its decisions' rationales.

``messaging.history_index`` writes the index; cases register these two kinds of text with it
(``CasesConfig.ready()``) and call ``history_index_case`` after opening a case and after a decision.
"""

from __future__ import annotations

from django.db import transaction

from marketdesk.cases.models import Case, Decision
from marketdesk.messaging.history_index import IndexedText, index_above, index_again, index_on_sqlite

KIND_CASE = "case"
KIND_DECISION = "decision"

CASES = IndexedText(KIND_CASE, Case, "description", "messaging_history_case_fts", {})
DECISIONS = IndexedText(KIND_DECISION, Decision, "rationale", "messaging_history_decision_fts", {})


def history_index_case(case: Case) -> None:
    """Put a case's description and its decisions' rationales in the index (after opening it, after a decision)."""
    if not index_on_sqlite():
        return
    with transaction.atomic():
        index_above(CASES)
        index_above(DECISIONS)
        index_again(CASES, [case.pk])
