"""Shapes of the cases API: what a reader sees of a case, and how the marketplace opens one.

Output leaves out who on the platform's side acted (the operator behind a
question or a decision): the parties and the marketplace see what was decided
and why, not by whom. Input is strict: unknown fields are refused, so a typo in
an integration fails loudly instead of being ignored.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictInt

from marketdesk.api.pagination import CursorPage
from marketdesk.cases.models import (
    Appeal,
    Case,
    CaseType,
    DecisionOutcome,
    OfferKind,
    OfferStatus,
    Party,
    Payer,
)
from marketdesk.cases.states import CaseStatus
from marketdesk.core.parsing import IsoDatetime
from marketdesk.hints.triage.suggest import MAX_TEXT_LENGTH
from marketdesk.orders.schemas import PartyOut

#: The longest description accepted: the same as the buyer's own Get help form.
DESCRIPTION_MAX_LENGTH = MAX_TEXT_LENGTH
ExternalId = Annotated[str, Field(min_length=1, max_length=100)]


class CaseOut(Schema):
    """A case as it stands: who, what, its status and its deadlines."""

    id: int
    order: str = Field(description="The marketplace's order number.")
    line: str | None = Field(description="The external id of the order line the case is about; null: the whole order.")
    buyer: PartyOut
    shop: PartyOut
    case_type: CaseType
    reason_detail: str
    description: str
    status: CaseStatus
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    escalated_at: AwareDatetime | None
    seller_due_at: AwareDatetime = Field(description="The seller answers (offer or refusal) by then.")
    decision_due_at: AwareDatetime | None = Field(description="The platform's target for its decision, once escalated.")
    info_due_at: AwareDatetime | None = Field(description="The asked party answers the open question by then.")
    expires_at: AwareDatetime | None = Field(description="Closes as expired if idle until then (before escalation).")
    policy_version: int = Field(description="The version of the policy the case was opened under.")
    referenced_case_id: int | None

    @staticmethod
    def resolve_order(obj: Case) -> str:
        return obj.order.external_id

    @staticmethod
    def resolve_line(obj: Case) -> str | None:
        return obj.line.external_id if obj.line is not None else None


class CasePageOut(CursorPage[CaseOut]):
    """A page of cases, newest first."""


class CaseFilterIn(Schema):
    """What a list of cases may be narrowed to; every filter is optional and they combine."""

    status: CaseStatus | None = Field(None, description="Only cases in this status.")
    order: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="Only the cases of this order number."
    )
    case_type: CaseType | None = Field(None, description="Only cases of this type.")
    updated_since: IsoDatetime | None = Field(None, description="Only cases changed at or after this moment.")


class CaseOfferOut(Schema):
    id: int
    kind: OfferKind
    amount_minor: int | None
    currency: str
    message: str
    evidence_note: str
    status: OfferStatus
    made_at: AwareDatetime
    answered_at: AwareDatetime | None


class InfoRequestOut(Schema):
    """An operator's question to one party; only that party (and the platform) sees it."""

    id: int
    party: Party
    question: str
    asked_at: AwareDatetime
    due_at: AwareDatetime
    answered_at: AwareDatetime | None
    answer: str


class DecisionOut(Schema):
    id: int
    is_appeal: bool
    outcome: DecisionOutcome
    payer: Payer
    amount_minor: int
    currency: str
    reason_code: str
    rationale: str
    policy_version: int = Field(description="The version of the policy the decision applied.")
    decided_at: AwareDatetime


class AppealOut(Schema):
    party: Party
    reason: str
    new_information: str
    filed_at: AwareDatetime


class CaseDetailOut(CaseOut):
    """A case with its offers, the questions the caller may read, its decisions and its appeal."""

    offers: list[CaseOfferOut]
    info_requests: list[InfoRequestOut]
    decisions: list[DecisionOut]
    appeal: AppealOut | None

    @staticmethod
    def resolve_offers(obj: Case) -> list[Any]:
        return list(obj.offers.all())

    @staticmethod
    def resolve_info_requests(obj: Case) -> list[Any]:
        # Narrowed to the caller by the view (``visible_info_requests``), never the full set.
        return list(obj.visible_info_requests)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_decisions(obj: Case) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_appeal(obj: Case) -> Appeal | None:
        return next(iter(obj.appeals.all()), None)


class CaseOpenIn(Schema):
    """A case the marketplace opens for the buyer of one of its orders."""

    model_config = ConfigDict(extra="forbid")

    order: ExternalId = Field(description="The marketplace's order number; the case is opened for its buyer.")
    case_type: CaseType
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)] = Field(
        description="What happened, in the buyer's words: not blank, at most 20,000 characters."
    )
    line: ExternalId | None = Field(
        None, description="The external id of the order line the case is about; leave out for the whole order."
    )
    sku: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="Instead of line: the SKU of the item, when exactly one line of the order has it."
    )
    reason_detail: Annotated[str, Field(max_length=100)] = Field(
        "", description="The marketplace's own sub-reason code, kept with the case."
    )
    referenced_case: StrictInt | None = Field(
        None, description="The id of an earlier, finished case of the same buyer that this one follows up."
    )


class SellerContactOut(Schema):
    """The buyer's first contact with the seller about an order, and the seller's first reply."""

    order: str
    contacted_at: AwareDatetime
    seller_replied_at: AwareDatetime | None

    @staticmethod
    def resolve_order(obj: Any) -> str:
        return obj.order.external_id
