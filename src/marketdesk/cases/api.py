"""REST endpoints of cases: every party reads its own, the marketplace opens them and acts in them.

Thin by design: parse, call ``case_open`` / ``seller_contact_record`` or a
selector, shape the answer. Errors leave as problem documents through
``marketdesk.api.errors``.

Visibility is the selectors': a case the caller may not see — another
marketplace's, another buyer's, another shop's — is a 404 whether it exists
or not. Opening follows the product's order of things: the marketplace first
records that the buyer contacted the seller (``POST /orders/{n}/seller-contact``),
and ``POST /cases`` answers 409 ``case_not_eligible`` with ``opens_at`` until
the policy lets the case open.

Headless mode: a marketplace that keeps its own screens takes every party
action of the case page through ``POST /cases/{id}/<action>`` with its key,
naming the buyer, the shop member or the shop it acts for
(``marketdesk.api.acting``). Each runs the page's own service.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from marketdesk.api.acting import PartyAction, PartyObject, party_actions_register
from marketdesk.api.auth import READ_AUTH, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent
from marketdesk.api.pagination import KeysetPaginator
from marketdesk.api.params import PathId
from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.selectors import attachments_of_many
from marketdesk.cases.models import Case, CaseEvidence, Decision, SellerContact
from marketdesk.cases.schemas import (
    CaseAnswerIn,
    CaseAppealIn,
    CaseBuyerActIn,
    CaseDetailOut,
    CaseEscalateIn,
    CaseEvidenceIn,
    CaseFilterIn,
    CaseOfferIn,
    CaseOpenIn,
    CasePageOut,
    DecisionOut,
    SellerContactOut,
)
from marketdesk.cases.selectors import case_get_for_actor, cases_for_actor, info_requests_for_actor
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.decisions import case_appeal
from marketdesk.cases.services.evidence import case_evidence_add
from marketdesk.cases.services.offers import (
    case_escalate,
    case_offer_accept,
    case_offer_decline,
    case_offer_make,
    case_withdraw,
)
from marketdesk.cases.services.opening import case_open
from marketdesk.cases.services.review import case_info_provide
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError
from marketdesk.core.money import Money
from marketdesk.disputes import api as dispute_api
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_get_for_actor, order_id_for_actor

router = Router(tags=["cases"])

CASE_PAGES = KeysetPaginator(fields=("opened_at", "id"))


def _case_detail(actor: Actor, pk: int) -> Case:
    case = case_get_for_actor(actor, pk=pk)
    prefetch_related_objects(
        [case],
        "offers",
        "decisions",
        "appeals",
        Prefetch("info_requests", queryset=info_requests_for_actor(actor), to_attr="visible_info_requests"),
    )
    statements = list(CaseEvidence.objects.filter(case=case))
    files = attachments_of_many(statements)
    case.evidence_views = [  # type: ignore[attr-defined]
        {
            "id": item.pk,
            "party": item.party,
            "text": item.text,
            "added_at": item.added_at,
            "attachments": [attachment_view(a) for a in files[item.pk]],
        }
        for item in statements
    ]
    return case


def _case_just_opened(case: Case) -> Case:
    """Answer with the case as ``case_open`` wrote it, read again from nothing.

    Its order, buyer, shop and line came with it; a case opened in this transaction, under its order's
    lock, has no offers, questions, decisions, appeal or statements yet (the API opens none with files).
    """
    case._prefetched_objects_cache = {"offers": [], "decisions": [], "appeals": []}  # type: ignore[attr-defined]
    case.visible_info_requests = []  # type: ignore[attr-defined]
    case.evidence_views = []  # type: ignore[attr-defined]
    return case


def _line_of(order: Order, *, line: str | None, sku: str | None) -> OrderLine | None:
    """Find the order line the body names by its external id or its SKU (one query when it names one)."""
    if line is not None and sku is not None:
        raise DomainValidationError(_("Name the item by its line or by its SKU, not both."), field="sku")
    if line is None and sku is None:
        return None
    field, attribute, value = ("line", "external_id", line) if line is not None else ("sku", "sku", sku)
    matches = [item for item in order.lines.all() if getattr(item, attribute) == value]
    if not matches:
        raise DomainValidationError(_("This item is not part of the order."), field=field)
    if len(matches) > 1:
        raise DomainValidationError(_("Several items of this order have this SKU; name the line instead."), field=field)
    return matches[0]


def _referenced_case(actor: Actor, pk: int | None) -> Case | None:
    if pk is None:
        return None
    case = cases_for_actor(actor).filter(pk=pk).first()
    if case is None:
        # Same answer as the service's for a case of someone else: existence is not revealed.
        raise DomainValidationError(_("Only your own finished cases can be referenced."), field="referenced_case")
    return case


@router.get("/cases", response={200: CasePageOut, **dispute_api.READ_ERRORS}, auth=READ_AUTH, summary="List cases")
def case_list(
    request: HttpRequest,
    filters: Query[CaseFilterIn],
    cursor: str | None = dispute_api.CURSOR,
    limit: int = dispute_api.LIMIT,
) -> dict[str, Any]:
    """List the cases the caller may see, newest first, a page at a time."""
    cases = dispute_api.list_filtered(cases_for_actor(request_actor(request)), filters)
    if filters.case_type is not None:
        cases = cases.filter(case_type=filters.case_type)
    if filters.updated_since is not None:
        cases = cases.filter(updated_at__gte=filters.updated_since)
    return dispute_api.list_page(cases, pages=CASE_PAGES, cursor=cursor, limit=limit)


@router.post(
    "/cases",
    response={201: CaseDetailOut, 400: ProblemOut, **dispute_api.WRITE_ERRORS},
    auth=dispute_api.MARKETPLACE_WRITE_AUTH,
    summary="Open a case for the buyer of an order",
)
@idempotent
def case_open_view(request: HttpRequest, payload: CaseOpenIn) -> Status[Case]:
    """Open a case for the order's buyer once the policy allows it (409 with opens_at until then).

    The buyer contacts the seller first: record that with POST /orders/{external_id}/seller-contact.
    Only the marketplace's API key may open a case here (a signed-in person is refused with 403).
    Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    # The order by its number alone: case_open reads it, as the marketplace sees it, under its lock (a 404 there if
    # the marketplace has none). Its id is read here first only when the body names a line (whose order's lines are
    # read) or an earlier case (an unknown order answers 404 before that case is checked).
    named = payload.line is not None or payload.sku is not None or payload.referenced_case is not None
    order = (
        Order(pk=order_id_for_actor(actor, external_id=payload.order)) if named else Order(external_id=payload.order)
    )
    case = case_open(
        actor=actor,
        order=order,
        case_type=payload.case_type,
        description=payload.description,
        line=_line_of(order, line=payload.line, sku=payload.sku),
        reason_detail=payload.reason_detail,
        referenced_case=_referenced_case(actor, payload.referenced_case),
    )
    return Status(201, _case_just_opened(case))


@router.get(
    "/cases/{case_id}", response={200: CaseDetailOut, **dispute_api.READ_ERRORS}, auth=READ_AUTH, summary="Get one case"
)
def case_detail(request: HttpRequest, case_id: PathId) -> Case:
    """Return one case the caller may see with its offers, questions, decisions and appeal (404 for any other)."""
    return _case_detail(request_actor(request), case_id)


@router.get(
    "/cases/{case_id}/decisions",
    response={200: list[DecisionOut], **dispute_api.READ_ERRORS},
    auth=READ_AUTH,
    summary="List a case's decisions",
)
def case_decision_list(request: HttpRequest, case_id: PathId) -> QuerySet[Decision]:
    """Return the case's decisions, the first and any on appeal, oldest first."""
    return case_get_for_actor(request_actor(request), pk=case_id).decisions.all()


@router.post(
    "/orders/{external_id}/seller-contact",
    response={200: SellerContactOut, **dispute_api.WRITE_ERRORS},
    auth=dispute_api.MARKETPLACE_WRITE_AUTH,
    summary="Record that the buyer contacted the seller",
)
@idempotent
def seller_contact_view(request: HttpRequest, external_id: dispute_api.ExternalIdPath) -> SellerContact:
    """Record the buyer's first contact with the seller about an order; repeats return the first contact.

    A case can be opened a policy-set time after it. Only the marketplace's API key may record it
    (a signed-in person is refused with 403). Accepts Idempotency-Key.
    """
    actor = request_actor(request)
    return seller_contact_record(actor=actor, order=order_get_for_actor(actor, external_id=external_id))


# Headless mode: the party actions of the case page, taken by the marketplace for its buyer or seller.


def _offer(actor: Actor, case: Case, payload: CaseOfferIn) -> object:
    amount = Money(payload.amount_minor, case.order.currency) if payload.amount_minor is not None else None
    return case_offer_make(
        actor=actor,
        case=case,
        kind=payload.kind,
        amount=amount,
        message=payload.message,
        evidence_note=payload.evidence_note,
    )


CASE = PartyObject(
    id_name="case_id",
    load=lambda actor, pk: case_get_for_actor(actor, pk=pk),
    answer=lambda actor, case: _case_detail(actor, case.pk),
    note=(
        "\n\nAnswers the case as the named party now sees it. Only the marketplace's API key (a signed-in person "
        "is refused with 403; people use the case page). A case of another marketplace, or of another buyer or "
        "shop than the one named, is a 404. Accepts Idempotency-Key: a repeat with the same key and body answers "
        "the first response and changes nothing."
    ),
)
PARTY_ACTIONS = [
    PartyAction(
        "case_offer_view",
        "/cases/{case_id}/offer",
        CaseOfferIn,
        _offer,
        "Answer a case as the seller: an offer or a reasoned refusal",
        "The seller's answer, within the seller's deadline: `full_refund`, `partial_refund` (with `amount_minor`), "
        "`replacement`, `return_and_refund`, or `refusal` (with its reason in `message` and the evidence in "
        "`evidence_note`). The case moves to `offer_made`; the buyer accepts or declines. Name the shop member "
        "(`seller`) or the shop itself (`shop`).",
    ),
    PartyAction(
        "case_offer_accept_view",
        "/cases/{case_id}/offer/accept",
        CaseBuyerActIn,
        lambda actor, case, payload: case_offer_accept(actor=actor, case=case),
        "Accept the seller's offer as the buyer",
        "The case is resolved; an accepted refund is recorded once in the ledger and the marketplace hears "
        "`case.resolved`.",
    ),
    PartyAction(
        "case_offer_decline_view",
        "/cases/{case_id}/offer/decline",
        CaseBuyerActIn,
        lambda actor, case, payload: case_offer_decline(actor=actor, case=case),
        "Decline the seller's offer as the buyer",
        "The case waits for either party to escalate it to the platform.",
    ),
    PartyAction(
        "case_escalate_view",
        "/cases/{case_id}/escalate",
        CaseEscalateIn,
        lambda actor, case, payload: case_escalate(actor=actor, case=case),
        "Escalate a case to the platform",
        "After a declined offer, or once the seller's deadline passed without an answer (409 before that, "
        "saying until when). Name the buyer, a shop member or the shop.",
    ),
    PartyAction(
        "case_evidence_view",
        "/cases/{case_id}/evidence",
        CaseEvidenceIn,
        lambda actor, case, payload: case_evidence_add(
            actor=actor, case=case, text=payload.text, attachment_ids=payload.attachments
        ),
        "Add evidence to a case",
        "A statement for the named person's side of the case, until it is decided, with files uploaded for "
        "the same person through POST /attachments (their ids in `attachments`; someone else's upload, or one "
        "attached already, is a 422 naming `attachments`). Name the buyer or a shop member.",
    ),
    PartyAction(
        "case_answer_view",
        "/cases/{case_id}/answer",
        CaseAnswerIn,
        lambda actor, case, payload: case_info_provide(actor=actor, case=case, answer=payload.answer),
        "Answer support's question",
        "Only the party support asked answers (the other one is refused with 403); the case goes back under "
        "review. Name the buyer, a shop member or the shop.",
    ),
    PartyAction(
        "case_appeal_view",
        "/cases/{case_id}/appeal",
        CaseAppealIn,
        lambda actor, case, payload: case_appeal(
            actor=actor, case=case, reason=payload.reason, new_information=payload.new_information
        ),
        "Appeal the decision",
        "Once per case, within the policy's window after the first decision, with new information; another "
        "operator decides. Name the buyer or a shop member.",
    ),
    PartyAction(
        "case_withdraw_view",
        "/cases/{case_id}/withdraw",
        CaseBuyerActIn,
        lambda actor, case, payload: case_withdraw(actor=actor, case=case),
        "Withdraw the case as the buyer",
        "Before a decision; a pending offer is withdrawn with it.",
    ),
]
party_actions_register(
    router,
    CASE,
    PARTY_ACTIONS,
    responses={200: CaseDetailOut, 400: ProblemOut, **dispute_api.WRITE_ERRORS},
    auth=dispute_api.MARKETPLACE_WRITE_AUTH,
    module=__name__,
)
