"""Shapes of the ledger's API."""

from __future__ import annotations

from ninja import Schema
from pydantic import AwareDatetime

from marketdesk.api.pagination import CursorPage
from marketdesk.ledger.models import LedgerEntry


class LedgerEntryOut(Schema):
    id: int
    order: str
    case_id: int | None
    decision_key: str
    kind: str
    payer: str
    amount_minor: int
    currency: str
    reason: str
    created_at: AwareDatetime
    instruction_status: str
    acknowledged_at: AwareDatetime | None

    @staticmethod
    def resolve_order(obj: LedgerEntry) -> str:
        return obj.order.external_id


class LedgerEntryPageOut(CursorPage[LedgerEntryOut]):
    """A page of ledger entries, newest first."""
