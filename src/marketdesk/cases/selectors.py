"""Reads of cases, always scoped to the actor who asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as Switch
from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least

from marketdesk.attachments.presenters import attachment_view
from marketdesk.attachments.selectors import attachments_of, attachments_of_many
from marketdesk.cases.models import (
    Appeal,
    Case,
    CaseEvidence,
    CaseNote,
    CaseOffer,
    Decision,
    InfoRequest,
    OfferStatus,
    Party,
)
from marketdesk.cases.states import FINISHED_STATUSES, OPEN_STATUSES, CaseStatus
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import placeholders, row_first
from marketdesk.core.deadlines import NO_DEADLINE
from marketdesk.core.errors import NotFound
from marketdesk.orders.selectors import scope_to_actor

QUEUE_STATUSES = (CaseStatus.ESCALATED, CaseStatus.UNDER_REVIEW, CaseStatus.AWAITING_INFO, CaseStatus.APPEALED)


def cases_for_actor(actor: Actor) -> QuerySet[Case]:
    """Return the cases this actor may see, newest first."""
    qs = Case.objects.select_related("order__marketplace", "shop", "buyer", "line")
    return scope_to_actor(qs, actor, order_path="order__").order_by("-opened_at", "-id")


def case_visible_to(actor: Actor, case_id: int) -> bool:
    """Return whether the actor may see the case (without loading it)."""
    return cases_for_actor(actor).filter(pk=case_id).exists()


def case_get_for_actor(actor: Actor, *, pk: int) -> Case:
    """Return one case the actor may see, or raise NotFound (never a hint that it exists)."""
    case = cases_for_actor(actor).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def case_open_overlapping(*, order_id: int, line_id: int | None, case_type: str) -> Case | None:
    """Return the open case (only its id) a new one of this reason would repeat: on the same line, or the whole order.

    A case about the whole order (no line) covers every line, and a case about one line is part of
    any whole-order case of the same reason; either way the open one is where the buyer goes on.
    """
    # Every open asks (and nearly always finds none): a plain statement, reading only the id the refusal names.
    same, line = ("", []) if line_id is None else (' AND ("line_id" = %s OR "line_id" IS NULL)', [line_id])
    return row_first(
        Case,
        f'"order_id" = %s AND "case_type" = %s AND "status" IN ({placeholders(OPEN_STATUSES)}){same}',
        [order_id, case_type, *OPEN_STATUSES, *line],
        order_by='"opened_at", "id"',
        fields=["pk"],
    )


def case_attachment_readable(actor: Actor, attachment: Any) -> bool:
    """Whether the actor may read a file of a case's evidence: exactly who may see the case."""
    if attachment.owner_type == "cases.caseevidence":
        case_id = CaseEvidence.objects.filter(pk=attachment.owner_id).values_list("case_id", flat=True).first()
    else:
        case_id = attachment.owner_id
    return case_id is not None and case_visible_to(actor, int(case_id))


def operator_queue(actor: Actor) -> QuerySet[Case]:
    """Return the cases waiting for the platform, the nearest deadline first."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        return Case.objects.none()
    far = Value(NO_DEADLINE, output_field=DateTimeField())
    return (
        cases_for_actor(actor)
        .filter(status__in=QUEUE_STATUSES)
        .annotate(deadline=Least(Coalesce("decision_due_at", far), Coalesce("info_due_at", far)))
        .order_by("deadline", "opened_at", "id")
    )


def cases_for_party(actor: Actor, *, status: str = "") -> QuerySet[Case]:
    """Return a buyer's or a seller's cases, those waiting for them first, by deadline.

    A seller owes an answer while the case awaits the seller; either party owes one
    when the operator asked them. Everything else follows, newest first.
    """
    question_for_me = Exists(
        InfoRequest.objects.filter(case=OuterRef("pk"), party=actor.role, answered_at__isnull=True)
    )
    owed = Switch(
        When(status=CaseStatus.AWAITING_SELLER, then=Value(0 if actor.role == Role.SELLER else 1)),
        When(Q(status=CaseStatus.AWAITING_INFO) & Q(question_for_me), then=Value(0)),
        When(status=CaseStatus.OFFER_MADE, then=Value(0 if actor.role == Role.BUYER else 1)),
        default=Value(2),
    )
    qs = cases_for_actor(actor)
    if status:
        qs = qs.filter(status=status)
    # The deadline that matters now, as each case stores it (none once the case is closed).
    return qs.annotate(owed=owed).order_by("owed", "queue_due_at", "-opened_at", "-id")


@dataclass
class Side:
    """One party's side of a case: what they said, offered and answered, oldest first."""

    party: str
    statements: list[Any] = field(default_factory=list)


def info_requests_for_actor(actor: Actor) -> QuerySet[InfoRequest]:
    """Return the operators' questions this actor may read: staff all, a party only those put to it.

    A question is addressed to one party; the other party reads neither it nor its answer.
    """
    if actor.role in (Role.OPERATOR, Role.ADMIN, Role.MARKETPLACE, Role.SYSTEM):
        return InfoRequest.objects.all()
    if actor.role in (Role.BUYER, Role.SELLER):
        return InfoRequest.objects.filter(party=actor.role)
    return InfoRequest.objects.none()


def case_sides(actor: Actor, case: Case) -> dict[str, Side]:
    """Return both parties' evidence for a case the actor may already see (from a selector).

    The buyer's side: the description, statements and answers; the seller's:
    offers or refusals with their evidence, statements and answers (a party
    reads only the answers to questions put to it). Internal notes are never
    part of it.
    """
    sides: dict[str, Side] = {Party.BUYER: Side(Party.BUYER), Party.SELLER: Side(Party.SELLER)}
    # Each statement: (kind, when, text, record, files); the files as their readers are shown them (signed links).
    opening_files = [attachment_view(a) for a in attachments_of(case)]
    sides[Party.BUYER].statements.append(("description", case.opened_at, case.description, None, opening_files))
    evidence_rows = list(CaseEvidence.objects.filter(case=case).select_related("author"))
    evidence_files = attachments_of_many(evidence_rows)
    for evidence in evidence_rows:
        files = [attachment_view(a) for a in evidence_files.get(evidence.pk, [])]
        sides[evidence.party].statements.append(("evidence", evidence.added_at, evidence.text, evidence, files))
    for offer in CaseOffer.objects.filter(case=case):
        sides[Party.SELLER].statements.append(("offer", offer.made_at, offer.message, offer, []))
    for request in info_requests_for_actor(actor).filter(case=case, answered_at__isnull=False):
        sides[request.party].statements.append(("answer", request.answered_at, request.answer, request, []))
    for appeal in Appeal.objects.filter(case=case):
        sides[appeal.party].statements.append(("appeal", appeal.filed_at, appeal.new_information, appeal, []))
    for side in sides.values():
        side.statements.sort(key=lambda item: item[1])
    return sides


def case_notes_for_actor(actor: Actor, case: Case) -> QuerySet[CaseNote]:
    """Return the internal notes of a case: staff only, nobody else ever."""
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        return CaseNote.objects.none()
    return CaseNote.objects.filter(case=case).select_related("author")


def case_pending_offer(case: Case) -> CaseOffer | None:
    return CaseOffer.objects.filter(case=case, status=OfferStatus.PENDING).first()


def case_open_question(case: Case) -> InfoRequest | None:
    """Return the operator's unanswered question on the case, if any."""
    return InfoRequest.objects.filter(case=case, answered_at__isnull=True).order_by("-asked_at", "-id").first()


def case_decisions(case: Case) -> list[Decision]:
    return list(Decision.objects.filter(case=case).select_related("decided_by"))


def case_appeal(case: Case) -> Appeal | None:
    return Appeal.objects.filter(case=case).first()


def last_finished_case(actor: Actor, *, order: Any, case_type: str) -> Case | None:
    """Return the latest finished case of this type on the order, which a new case follows on from."""
    return (
        cases_for_actor(actor)
        .filter(order_id=order.pk, case_type=case_type, status__in=FINISHED_STATUSES)
        .order_by("-opened_at", "-id")
        .first()
    )
