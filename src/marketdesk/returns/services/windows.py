"""Who may return what and until when: the shop's policy, the window, eligibility, the lines asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketdesk.core.calendar import due_at
from marketdesk.core.errors import Conflict, DomainValidationError
from marketdesk.core.formatting import format_moment
from marketdesk.core.policies import Policy, policy_current
from marketdesk.orders.models import Order, OrderLine
from marketdesk.orders.situation import order_delivered_at
from marketdesk.orders.states import OrderStatus
from marketdesk.returns.models import DEFAULT_AUTO_APPROVE, ShopReturnPolicy
from marketdesk.returns.selectors import returned_quantities
from marketdesk.returns.services.common import _calendar


class ReturnNotAllowed(Conflict):
    """A return may not be requested (any more); the message says why and until when it could have been."""

    code = "return_not_allowed"


def shop_return_policy(order: Order) -> ShopReturnPolicy | None:
    return ShopReturnPolicy.objects.filter(shop_id=order.shop_id).first()


def return_window_days(policy: Policy, shop_policy: ShopReturnPolicy | None) -> int:
    """Return how many calendar days after delivery items may be returned: the platform's or the seller's longer policy."""
    return max(policy.return_window_days, shop_policy.window_days if shop_policy else 0)


def return_window_closes(order: Order, *, policy: Policy | None = None) -> dt.datetime | None:
    """Return until when the order's items may be returned (None before delivery)."""
    delivered_at = order_delivered_at(order)
    if delivered_at is None:
        return None
    days = return_window_days(policy or policy_current(), shop_return_policy(order))
    return due_at(delivered_at, calendar_days=days, calendar=_calendar(order))


@dataclass(frozen=True, slots=True)
class ReturnEligibility:
    """Whether items of an order may be returned now, the words that say why (not), and until when."""

    allowed: bool
    reason: str
    closes_at: dt.datetime | None


def return_eligibility(
    *, order: Order, closes_at: dt.datetime | None, now: dt.datetime, left: int | None = None
) -> ReturnEligibility:
    """Decide whether items of ``order`` may be returned at ``now``.

    ``closes_at`` is the window's end (``return_window_closes``; None before delivery); ``left``, when
    given, is how many items are not in a return yet (the request itself checks each line instead).
    """
    if order.status == OrderStatus.CANCELLED:
        return ReturnEligibility(False, _("This order was cancelled: there is nothing to return."), None)
    if order.status == OrderStatus.REFUNDED:
        return ReturnEligibility(False, _("This order has been refunded in full: there is nothing to return."), None)
    if closes_at is None:
        return ReturnEligibility(False, _("Items can be returned once the order has been delivered."), None)
    when = format_moment(closes_at)
    if now > closes_at:
        reason = _("The time to return items of this order ended on %(when)s.") % {"when": when}
        return ReturnEligibility(False, reason, closes_at)
    if left is not None and left <= 0:
        return ReturnEligibility(False, _("Every item of this order is already in a return."), closes_at)
    return ReturnEligibility(True, _("You can return items of this order until %(when)s.") % {"when": when}, closes_at)


def _auto_approved(order: Order, reason: str) -> bool:
    shop_policy = shop_return_policy(order)
    reasons = shop_policy.auto_approve_reasons if shop_policy else [str(r) for r in DEFAULT_AUTO_APPROVE]
    return reason in reasons


def _checked_lines(order: Order, lines: Mapping[int, int]) -> list[tuple[OrderLine, int]]:
    """Return the (order line, quantity) pairs asked for, refusing what cannot be returned."""
    wanted = {int(pk): qty for pk, qty in lines.items() if qty}
    if not wanted:
        raise DomainValidationError(_("Choose at least one item to return."), field="lines")
    by_pk = {line.pk: line for line in OrderLine.objects.filter(order=order, pk__in=wanted)}
    taken = returned_quantities(order.pk)
    checked = []
    for pk, qty in wanted.items():
        line = by_pk.get(pk)
        if line is None:
            raise DomainValidationError(_("This item is not part of the order."), field="lines")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise DomainValidationError(_("Quantities are whole numbers."), field="lines")
        left = line.quantity - taken.get(pk, 0)
        if left <= 0:
            raise DomainValidationError(
                _("%(item)s is already being returned or was returned.") % {"item": line.title}, field="lines"
            )
        if qty > line.quantity:
            raise DomainValidationError(
                _("You ordered %(count)s of %(item)s; you cannot return more.")
                % {"count": line.quantity, "item": line.title},
                field="lines",
            )
        if qty > left:
            raise DomainValidationError(
                _("Only %(count)s of %(item)s can still be returned.") % {"count": left, "item": line.title},
                field="lines",
            )
        checked.append((line, qty))
    return checked
