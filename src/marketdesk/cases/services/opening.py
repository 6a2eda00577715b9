"""Open a case on an order (or one line), when the policy allows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketdesk.attachments.services import attachments_claim
from marketdesk.cases import events
from marketdesk.cases.eligibility import DELIVERY_DATED, Eligibility, case_eligibility
from marketdesk.cases.fanout import case_fanout_put, case_thread_note, case_webhook
from marketdesk.cases.history_index import history_index_case
from marketdesk.cases.models import Case, CaseType, SellerContact
from marketdesk.cases.selectors import case_open_overlapping
from marketdesk.cases.services.common import _calendar, _require_role, _require_text
from marketdesk.cases.services.offers import _escalate
from marketdesk.cases.states import FINISHED_STATUSES
from marketdesk.cases.suspension import suspension_in_force
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import instance_insert, row_first
from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainError, DomainValidationError, NotFound
from marketdesk.core.policies import Policy, policy_current
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.selectors import order_locked_for_actor
from marketdesk.orders.situation import order_delivered_at


class CaseNotEligible(Conflict):
    """A case may not be opened (yet, or any more); the message says from or until when."""

    code = "case_not_eligible"


def _open_case_for(order: Order, line: OrderLine | None, case_type: str) -> Case | None:
    return case_open_overlapping(order_id=order.pk, line_id=line.pk if line else None, case_type=case_type)


def _not_eligible(verdict: Eligibility) -> CaseNotEligible:
    """The refusal as an error; a refused duplicate names the open case, so pages and the API can link it."""
    extra: dict[str, Any] = {
        "opens_at": verdict.opens_at.isoformat() if verdict.opens_at else None,
        "closes_at": verdict.closes_at.isoformat() if verdict.closes_at else None,
    }
    if verdict.open_case is not None:
        extra["open_case"] = verdict.open_case.pk
    return CaseNotEligible(verdict.reason, **extra)


def _order_locked_for(actor: Actor, order: Order) -> Order:
    """Lock the order the actor may see (only the order's row), or raise NotFound as the selector does.

    The order is named by its id, or, when it has none, by its number (unique within a marketplace, and a buyer's
    or a marketplace key's orders are all of one marketplace).
    """
    found = order_locked_for_actor(actor, pk=order.pk, external_id=order.external_id)
    if found is None:
        raise NotFound()
    return found


def case_open(
    *,
    actor: Actor,
    order: Order,
    case_type: str,
    description: str,
    line: OrderLine | None = None,
    reason_detail: str = "",
    referenced_case: Case | None = None,
    attachment_ids: Sequence[int] = (),
) -> Case:
    """Open a case on the buyer's order when the policy allows it now; the buyer's uploads become its evidence.

    ``order`` may be an unsaved ``Order(external_id=…)``: the order of that number the actor may see is read here,
    under its lock, as it is for an order passed by its id (NotFound if there is none).

    Inside the caller's transaction (the API's, which holds the Idempotency-Key's record) the open takes no savepoint
    of its own (two queries): a refusal found before the first write is raised once the block is left, so nothing
    is undone and the caller's transaction goes on (the API stores the refusal under the key); an error after the
    first write (the constraint's clash with a raced open) rolls the caller's whole transaction back. Claiming the
    buyer's files, which may be refused after the case is written, takes a savepoint.
    """
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    with transaction.atomic(savepoint=bool(attachment_ids)):
        try:
            # The actor's view of the order and its lock in one read (with the buyer, the shop and the marketplace
            # the case and its answer need), then every check: nothing is written until they all pass.
            allowed = _open_allowed(
                actor=actor,
                order=order,
                case_type=case_type,
                description=description,
                line=line,
                referenced_case=referenced_case,
            )
        except DomainError as refused:
            refusal = refused
        else:
            return _open_written(
                allowed,
                actor=actor,
                case_type=case_type,
                line=line,
                reason_detail=reason_detail,
                referenced_case=referenced_case,
                attachment_ids=attachment_ids,
            )
    raise refusal


@dataclass(frozen=True, slots=True)
class _Allowed:
    """What the checks of an open read, which its writes use."""

    order: Order
    description: str
    now: dt.datetime
    policy: Policy


def _open_allowed(
    *,
    actor: Actor,
    order: Order,
    case_type: str,
    description: str,
    line: OrderLine | None,
    referenced_case: Case | None,
) -> _Allowed:
    """Lock the order and check everything an open needs (raising the refusal); write nothing."""
    order = _order_locked_for(actor, order)
    if case_type not in CaseType.values:
        raise DomainValidationError(_("Choose what is wrong."), field="case_type")
    description = _require_text(description, "description")
    if line is not None and line.order_id != order.pk:
        raise DomainValidationError(_("This item is not part of the order."), field="line")
    if (
        referenced_case is not None
        and not Case.objects.filter(
            pk=referenced_case.pk, buyer_id=order.buyer_id, status__in=FINISHED_STATUSES
        ).exists()
    ):
        raise DomainValidationError(_("Only your own finished cases can be referenced."), field="referenced_case")
    now = clock.now()
    policy = policy_current()
    # One contact per order and buyer (a unique key), read on every open: a plain statement.
    contact = row_first(SellerContact, '"order_id" = %s AND "buyer_id" = %s', [order.pk, order.buyer_id])
    verdict = case_eligibility(
        order=order,
        case_type=case_type,
        contact=contact,
        now=now,
        # Read only for the case types whose window runs from delivery (its parcels are a query).
        delivered_at=order_delivered_at(order) if case_type in DELIVERY_DATED else None,
        open_case=_open_case_for(order, line, case_type),
        policy=policy,
    )
    if not verdict.allowed:
        raise _not_eligible(verdict)
    return _Allowed(order=order, description=description, now=now, policy=policy)


def _open_written(
    allowed: _Allowed,
    *,
    actor: Actor,
    case_type: str,
    line: OrderLine | None,
    reason_detail: str,
    referenced_case: Case | None,
    attachment_ids: Sequence[int],
) -> Case:
    """Write the case allowed, its event and its fan-out (or, for a suspended seller, its escalation)."""
    order, now, policy = allowed.order, allowed.now, allowed.policy
    cal = _calendar(order)
    case = Case(
        order=order,
        line=line,
        buyer=order.buyer,
        shop=order.shop,
        marketplace_id=order.marketplace_id,
        case_type=case_type,
        reason_detail=reason_detail,
        description=allowed.description,
        opened_at=now,
        last_activity_at=now,
        updated_at=now,
        seller_due_at=due_at(now, business_days=policy.seller_response_business_days, calendar=cal),
        expires_at=due_at(now, business_days=policy.case_expiry_business_days, calendar=cal),
        policy_version=policy.version,
        referenced_case=referenced_case,
    )
    # What save() would derive, then one plain insert (core.bulk: the ORM's compiling of the insert cost more
    # than the insert); Case has no save signals' receivers to miss.
    case.queue_due_refresh()
    try:
        # No savepoint of its own (two queries): a clash refuses the whole open, which the caller's transaction
        # (or the open's own, or its savepoint) rolls back.
        with transaction.atomic(savepoint=False):
            instance_insert(case)
    except IntegrityError as exc:
        # A double submit raced past the check above; the constraint kept one case.
        raise CaseNotEligible(_("There is already an open case for this item and reason.")) from exc
    case.status_stored()
    if attachment_ids:
        # The buyer's own unattached uploads, within the policy's count; otherwise no case is opened.
        attachments_claim(actor=actor, ids=attachment_ids, owner=case)
    events.case_opened(
        case=case,
        actor=actor,
        payload=events.CaseOpenedPayload(
            case_type=case_type,
            line_id=line.pk if line else None,
            status=case.status,
            seller_due_at=case.seller_due_at.isoformat(),
            policy_version=policy.version,
            referenced_case_id=referenced_case.pk if referenced_case else None,
        ),
    )
    webhook = ("case.opened", f"case-{case.pk}-opened", {"seller_due_at": case.seller_due_at})
    suspension = suspension_in_force(order.shop_id, now=now)
    if suspension is None:
        # The rest is told after commit, from the outbox (cases.fanout): the index, the webhook, the line
        # in the conversation, the seller's notice and the live pushes.
        case_fanout_put(case, "case.opened", actor=actor, webhook=webhook, index=True, reason=case_type)
        return case
    # A suspended seller gets no first move: the platform takes the case at once. The opening is told
    # here, before the escalation, so that the conversation reads in the order things happened; the
    # seller is not asked to answer: the escalation is what they hear of.
    history_index_case(case)
    case_webhook(case, webhook[0], webhook[1], **webhook[2])
    case_thread_note(case, "case.opened", actor=actor, reason=case_type, tell_seller=False)
    _escalate(case, actor=Actor.system(), now=now, policy=policy, suspension_id=suspension.pk)
    return case
