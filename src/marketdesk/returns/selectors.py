"""Reads of returns, always scoped to the actor who asks."""

from __future__ import annotations

import re

from django.db.models import Case as Switch
from django.db.models import IntegerField, QuerySet, Sum, Value, When

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound
from marketdesk.orders.models import OrderLine
from marketdesk.orders.selectors import scope_to_actor
from marketdesk.returns.models import Return, ReturnLine
from marketdesk.returns.states import ACTIVE_STATUSES, ReturnStatus

#: A return code as printed on the label: RA- and eight letters or digits.
CODE_PATTERN = re.compile(r"RA-[0-9A-Z]{8}")


def returns_for_actor(actor: Actor) -> QuerySet[Return]:
    """Return the returns this actor may see, newest first."""
    qs = Return.objects.select_related("order__marketplace", "shop", "buyer")
    return scope_to_actor(qs, actor, order_path="order__").order_by("-requested_at", "-id")


def return_get_for_actor(actor: Actor, *, pk: int) -> Return:
    """Return one return the actor may see, or raise NotFound (never a hint that it exists)."""
    ret = returns_for_actor(actor).filter(pk=pk).first()
    if ret is None:
        raise NotFound()
    return ret


def return_code_parse(text: str) -> str | None:
    """Find the return code in what was scanned or typed: ``MDRA:RA-…``, a link with the code, or the code."""
    found = CODE_PATTERN.search((text or "").strip().upper())
    return found.group(0) if found else None


def returns_for_party(actor: Actor, *, status: str = "") -> QuerySet[Return]:
    """Return a buyer's or seller's returns, those waiting for them first, newest first within."""
    waiting = (
        (ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.REPLACEMENT_REQUESTED)
        if actor.role == Role.SELLER
        else (ReturnStatus.APPROVED, ReturnStatus.REFUSED, ReturnStatus.REFUND_OFFERED)
    )
    qs = returns_for_actor(actor).annotate(
        owed=Switch(When(status__in=waiting, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("owed", "-requested_at", "-id")


def returned_quantities(order_id: int) -> dict[int, int]:
    """Return, per order line, how many items are already in a return that is not refused, lapsed or cancelled."""
    rows = (
        ReturnLine.objects.filter(ret__order_id=order_id, ret__status__in=ACTIVE_STATUSES)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["order_line_id"]: int(row["total"]) for row in rows}


def returnable_lines(order_id: int) -> list[tuple[OrderLine, int]]:
    """Return each line of the order with how many of it can still be returned."""
    taken = returned_quantities(order_id)
    return [(line, line.quantity - taken.get(line.pk, 0)) for line in OrderLine.objects.filter(order_id=order_id)]
