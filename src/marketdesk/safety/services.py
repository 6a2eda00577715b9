"""Writes of message safety: flag a message as it is posted, and support's release or block.

``message_flag_screen`` runs inside ``message_post``'s transaction (through the guard); the review
services each run in one transaction: the flag row is locked, its status moves through
``transition()`` (timeline event for operators only), the audit trail gets an entry, and a released
held message is delivered (notifications and webhook through the outbox, after commit).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.core import policies
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.transitions import transition
from marketdesk.messaging.models import Message
from marketdesk.messaging.services import message_deliver, message_withdraw
from marketdesk.orders.models import Order
from marketdesk.safety.detect import message_check
from marketdesk.safety.models import MarketplaceSafety, MessageFlag
from marketdesk.safety.selectors import flag_get_for_actor
from marketdesk.safety.states import STAFF, FlagAction, FlagKind, FlagStatus

SCREENED_ROLES = (Role.BUYER, Role.SELLER)


def flag_action(*, marketplace_id: int, kind: str, author_role: str) -> tuple[str, int]:
    """Return what happens to a flagged message (hold or warn) and the policy version that said so."""
    policy = policies.policy_current()
    if author_role != Role.SELLER:
        return FlagAction.WARN, policy.version
    own = MarketplaceSafety.objects.filter(marketplace_id=marketplace_id).first()
    chosen = (own.payment_action if kind == FlagKind.PAYMENT else own.contact_action) if own else ""
    if chosen:
        return chosen, policy.version
    hold = policy.safety_hold_seller_payment if kind == FlagKind.PAYMENT else policy.safety_hold_contact
    return (FlagAction.HOLD if hold else FlagAction.WARN), policy.version


def message_flag_screen(*, message: Message, order: Order) -> MessageFlag | None:
    """Check a new message of a party; flag it if it moves payment or contact off the platform (in the caller's transaction)."""
    if message.author_role not in SCREENED_ROLES or not message.body:
        return None
    verdict = message_check(message.body)
    if not verdict.flagged:
        return None
    action, version = flag_action(
        marketplace_id=order.marketplace_id, kind=verdict.kind, author_role=message.author_role
    )
    return MessageFlag.objects.create(
        message=message,
        order=order,
        marketplace_id=order.marketplace_id,
        kind=verdict.kind,
        reasons=list(verdict.reasons),
        score_bp=round(verdict.score * 10_000),
        action=action,
        status=FlagStatus.HELD if action == FlagAction.HOLD else FlagStatus.WARNED,
        policy_version=version,
        created_at=message.created_at,
        updated_at=message.created_at,
    )


def _decide(*, actor: Actor, flag_id: int, to: str) -> MessageFlag:
    if actor.role not in STAFF:
        raise PermissionDenied(_("Only support reviews flagged messages."))
    flag = flag_get_for_actor(actor, pk=flag_id)
    with transaction.atomic():
        flag = MessageFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.status == to:
            return flag  # a repeated click (or a second operator) changes nothing
        before = flag.status
        transition(flag, to=to, actor=actor, payload={"message": flag.message_id})
        flag.decided_by = actor.user
        flag.save(update_fields=["decided_by"])
        audit_record(
            actor=actor,
            action=f"message_flag.{to}",
            obj=flag,
            before={"status": before},
            after={"status": to, "message": flag.message_id},
        )
        if before == FlagStatus.HELD and to == FlagStatus.RELEASED:
            message_deliver(message=flag.message)
        elif before == FlagStatus.WARNED and to == FlagStatus.BLOCKED:
            message_withdraw(message=flag.message)  # the other party no longer sees it, nor counts it unread
    return flag


def message_flag_release(*, actor: Actor, flag_id: int) -> MessageFlag:
    """Release a flagged message: a held one is delivered now; a warned one stays, marked reviewed."""
    return _decide(actor=actor, flag_id=flag_id, to=FlagStatus.RELEASED)


def message_flag_block(*, actor: Actor, flag_id: int) -> MessageFlag:
    """Block a flagged message: the other party never sees it (or no longer, if it was delivered with a warning)."""
    return _decide(actor=actor, flag_id=flag_id, to=FlagStatus.BLOCKED)
