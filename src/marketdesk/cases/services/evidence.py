"""Evidence and notes while the case is undecided."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.attachments.services import attachments_claim
from marketdesk.cases import events
from marketdesk.cases.fanout import case_tell, case_webhook
from marketdesk.cases.models import Case, CaseEvidence, CaseNote
from marketdesk.cases.services.common import STAFF, _locked, _require_role, _require_visible, _touch, _user
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import TransitionNotAllowed
from marketdesk.core.policies import policy_current
from marketdesk.disputes.text import text_checked

EVIDENCE_STATUSES = (
    CaseStatus.AWAITING_SELLER,
    CaseStatus.OFFER_MADE,
    CaseStatus.DECLINED,
    CaseStatus.ESCALATED,
    CaseStatus.UNDER_REVIEW,
    CaseStatus.AWAITING_INFO,
    CaseStatus.APPEALED,
)
MAX_STATEMENT_LENGTH = 5000


def _statement(value: str, field: str) -> str:
    return text_checked(value, field, required=True, limit=MAX_STATEMENT_LENGTH)


def case_evidence_add(*, actor: Actor, case: Case, text: str, attachment_ids: Sequence[int] = ()) -> CaseEvidence:
    """Add a party's statement, photos or video to its side of the case, until the case is decided."""
    _require_role(actor, (Role.BUYER, Role.SELLER))
    _require_visible(actor, case)
    # Files alone are evidence enough; without files the statement is required.
    text = _statement(text, "text") if (text or "").strip() or not attachment_ids else ""
    with transaction.atomic():
        _order, case = _locked(case)
        if case.status not in EVIDENCE_STATUSES:
            raise TransitionNotAllowed(
                _("Evidence can no longer be added: the case is %(status)s.")
                % {"status": CaseStatus(case.status).label.lower()}
            )
        now = clock.now()
        evidence = CaseEvidence.objects.create(
            case=case, party=actor.role, author=_user(actor), text=text, added_at=now
        )
        if attachment_ids:
            # Only the author's own, unattached uploads, within the policy's count (else nothing is added).
            attachments_claim(actor=actor, ids=attachment_ids, owner=evidence)
        events.evidence_added(case=case, actor=actor, evidence_id=evidence.pk, party=actor.role)
        case_webhook(
            case,
            "case.evidence_added",
            f"case-{case.pk}-evidence-{evidence.pk}",
            evidence_id=evidence.pk,
            party=actor.role,
            text=text,
            attachments=[int(pk) for pk in attachment_ids],
            added_at=now,
        )
        _touch(case, now=now, policy=policy_current())
        # The other side hears of it; both sides' open pages show it.
        case_tell(
            case,
            "case.evidence_added",
            actor_id=actor.user.pk if actor.user is not None else None,
            to_buyer=actor.role == Role.SELLER,
            to_seller=actor.role == Role.BUYER,
        )
        return evidence


def case_note_add(*, actor: Actor, case: Case, body: str) -> CaseNote:
    """Add an operator's internal note; parties never see it."""
    _require_role(actor, STAFF)
    _require_visible(actor, case)
    body = _statement(body, "body")
    with transaction.atomic():
        _order, case = _locked(case)
        note = CaseNote.objects.create(case=case, author=_user(actor), body=body, added_at=clock.now())
        events.note_added(case=case, actor=actor, note_id=note.pk)
        audit_record(actor=actor, action="case.note_added", obj=case, after={"note_id": note.pk, "body": body})
        return note
