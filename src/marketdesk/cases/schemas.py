"""Shapes of the cases API: what a reader sees of a case, how the marketplace opens one and acts on it.

Output leaves out who on the platform's side acted (the operator behind a
question or a decision): the parties and the marketplace see what was decided
and why, not by whom. Input is strict: unknown fields are refused, so a typo in
an integration fails loudly instead of being ignored.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, StrictInt

from marketdesk.api.acting import AsBuyerIn, AsPartyIn, AsPersonIn, AsSellerIn
from marketdesk.api.pagination import CursorPage
from marketdesk.attachments.schemas import AttachmentOut
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
from marketdesk.orders.schemas import PartyOut
from marketdesk.triage.suggest import MAX_TEXT_LENGTH

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


class CaseEvidenceOut(Schema):
    """A statement a party added to its side of the case, with its files (links signed for a few minutes)."""

    id: int
    party: Party
    text: str
    added_at: AwareDatetime
    attachments: list[AttachmentOut]


class CaseDetailOut(CaseOut):
    """A case with its offers, the parties' evidence, the questions the caller may read, its decisions and appeal."""

    offers: list[CaseOfferOut]
    evidence: list[CaseEvidenceOut]
    info_requests: list[InfoRequestOut]
    decisions: list[DecisionOut]
    appeal: AppealOut | None

    @staticmethod
    def resolve_offers(obj: Case) -> list[Any]:
        return list(obj.offers.all())

    @staticmethod
    def resolve_evidence(obj: Case) -> list[dict[str, Any]]:
        # Built by the view with each statement's files (``evidence_views``), in one query for all of them.
        return list(obj.evidence_views)  # type: ignore[attr-defined]

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


# Headless mode: the marketplace acts on a case for its buyer or its seller (marketdesk.api.acting).

#: The longest statement, answer or appeal text: as on the case page.
STATEMENT_MAX_LENGTH = 5000
Statement = Annotated[str, Field(min_length=1, max_length=STATEMENT_MAX_LENGTH, pattern=r"^[^\x00]*$")]
OptionalStatement = Annotated[str, Field(max_length=STATEMENT_MAX_LENGTH, pattern=r"^[^\x00]*$")]


class CaseBuyerActIn(AsBuyerIn):
    """An action the buyer takes on the case, with nothing more to say."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"buyer": "u42"}]})


class CaseEscalateIn(AsPartyIn):
    """The party that brings the platform in."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"buyer": "u42"}]})


class CaseOfferIn(AsSellerIn):
    """The seller's answer to a case: an offer, or a reasoned refusal with its evidence."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"seller": "m7", "kind": "partial_refund", "amount_minor": 1500, "message": "Sorry: half back?"},
                {
                    "shop": "s7",
                    "kind": "refusal",
                    "message": "Delivered to the door on 20 Nov.",
                    "evidence_note": "Carrier proof of delivery: photo at the door, GPS matches the address.",
                },
            ]
        }
    )

    kind: OfferKind = Field(description="What the seller offers, or `refusal`.")
    amount_minor: StrictInt | None = Field(
        None,
        description=(
            "A partial refund's amount in the order's currency (minor units), required for it; a full refund "
            "or a return-and-refund may leave it out (the order's total), a replacement or refusal has none."
        ),
    )
    message: OptionalStatement = Field("", description="What the buyer reads; required for a refusal (its reason).")
    evidence_note: OptionalStatement = Field(
        "", description="The seller's evidence (tracking, proof of delivery), shown to the buyer and support."
    )


class CaseEvidenceIn(AsPersonIn):
    """A statement for the acting party's side of the case, with files uploaded by that person."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"buyer": "u42", "text": "The box arrived crushed.", "attachments": [31, 32]}]}
    )

    text: Statement = Field(description="The statement, at most 5,000 characters.")
    attachments: list[StrictInt] = Field(
        [],
        max_length=50,
        description="Ids from POST /attachments uploaded for the same person, not attached to anything yet.",
    )


class CaseAnswerIn(AsPartyIn):
    """The answer of the party support asked."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"buyer": "u42", "answer": "The parcel was left with no signature."}]}
    )

    answer: Statement


class CaseAppealIn(AsPersonIn):
    """A party's one appeal against the first decision."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "buyer": "u42",
                    "reason": "The decision missed the photos.",
                    "new_information": "The neighbour confirms no parcel came.",
                }
            ]
        }
    )

    reason: Statement
    new_information: Statement = Field(description="What the first decision did not have.")
