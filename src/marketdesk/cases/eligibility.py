"""May a buyer open a case now, and if not, from when (or until when) may they?

The rules, each a policy number (``core.policies``):

* The buyer contacts the seller first. With contact at ``C``, a case may be
  opened from ``C + case_after_contact_hours``; when the seller has not replied
  within ``seller_silence_hours`` of the contact, from ``C + seller_silence_hours``
  if that is earlier. A seller's reply after the silence deadline does not undo
  the silence. Both bounds are inclusive ("from").
* *Item not received*: from the latest estimated delivery date, until
  ``inr_window_days`` calendar days after it (inclusive).
* *Not as described*: once delivered, until ``snad_window_days`` calendar days
  after delivery (inclusive).
* *Seller unresponsive*: only when the seller has not replied within
  ``seller_silence_hours`` of the contact, and from the end of that time.
* One open case per order line and reason (a whole-order case covers every line);
  a refusal names the open case.
* Nothing is owed on a cancelled or fully refunded order: neither "not received" nor "not as described".
* A buyer whose protection an operator restricted opens no case from its effective date (``cases.protection``).

Nothing here writes; the service passes what it read (contact, any open case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from marketdesk.cases.models import CaseType
from marketdesk.cases.protection import protection_restriction
from marketdesk.core.calendar import WorkCalendar, calendar_for, due_at
from marketdesk.core.formatting import format_moment
from marketdesk.core.policies import Policy, policy_current
from marketdesk.orders.states import OrderStatus

if TYPE_CHECKING:
    from marketdesk.cases.models import Case, SellerContact
    from marketdesk.orders.models import Order


#: The case types whose window runs from delivery: only their eligibility reads the delivery moment.
DELIVERY_DATED = frozenset({CaseType.NOT_AS_DESCRIBED})


@dataclass(frozen=True)
class Eligibility:
    """Whether a case may be opened now, why not, and the window it may be opened in."""

    allowed: bool
    reason: str
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    # The open case a refused duplicate would repeat, for the page to link.
    open_case: Case | None = None


def contact_opens_at(contact: SellerContact, policy: Policy) -> tuple[dt.datetime, bool]:
    """Return when the contact lets a case open, and whether that moment relies on the seller's silence."""
    after_contact = contact.contacted_at + dt.timedelta(hours=policy.case_after_contact_hours)
    silence_ends = contact.contacted_at + dt.timedelta(hours=policy.seller_silence_hours)
    replied_in_time = contact.seller_replied_at is not None and contact.seller_replied_at <= silence_ends
    if not replied_in_time and silence_ends < after_contact:
        return silence_ends, True
    return after_contact, False


def type_window(
    *, order: Order, case_type: str, policy: Policy, delivered_at: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Return the (opens, closes) window of a case type for this order; None means unbounded.

    ``delivered_at`` is the order's delivery moment as ``orders.situation.order_delivered_at`` reads it
    (the marketplace's word, else the parcels'), passed in so that a page listing many orders reads it once.
    """
    cal = calendar_for(order.marketplace.calendar_code or None)
    if case_type == CaseType.ITEM_NOT_RECEIVED and order.estimated_delivery_at is not None:
        edd = order.estimated_delivery_at
        return edd, due_at(edd, calendar_days=policy.inr_window_days, calendar=cal)
    if case_type == CaseType.NOT_AS_DESCRIBED and delivered_at is not None:
        return delivered_at, due_at(delivered_at, calendar_days=policy.snad_window_days, calendar=cal)
    return None, None


def _outside_window(
    *, order: Order, case_type: str, now: dt.datetime, policy: Policy, delivered_at: dt.datetime | None
) -> Eligibility | None:
    """Return the refusal when the case type's window has not started (undated) or has ended."""
    if case_type in (CaseType.ITEM_NOT_RECEIVED, CaseType.NOT_AS_DESCRIBED):
        if order.status == OrderStatus.CANCELLED:
            return Eligibility(False, _("This order was cancelled, so there is no delivery to claim for."))
        if order.status == OrderStatus.REFUNDED:
            return Eligibility(False, _("This order has been refunded in full, so there is nothing left to claim."))
    if case_type == CaseType.ITEM_NOT_RECEIVED and order.estimated_delivery_at is None:
        return Eligibility(False, _("The order has no estimated delivery date yet, so it cannot be late."))
    if case_type == CaseType.NOT_AS_DESCRIBED and delivered_at is None:
        return Eligibility(False, _("You can open this case once the order has been delivered."))
    _opens, closes_at = type_window(order=order, case_type=case_type, policy=policy, delivered_at=delivered_at)
    if closes_at is not None and now > closes_at:
        return Eligibility(
            False,
            _("The time to open this case ended on %(when)s.") % {"when": format_moment(closes_at)},
            closes_at=closes_at,
        )
    return None


def appeal_window_closes(
    decided_at: dt.datetime, *, calendar: WorkCalendar, policy: Policy | None = None
) -> dt.datetime:
    """Return until when a first decision made at ``decided_at`` can be appealed (the policy's calendar days)."""
    days = (policy or policy_current()).appeal_window_days
    return due_at(decided_at, calendar_days=days, calendar=calendar)


def case_appeal_closes(
    case: Case, first_decided_at: dt.datetime, *, calendar: WorkCalendar, policy: Policy | None = None
) -> dt.datetime:
    """Return until when the case's first decision can be appealed: as stored when it was made (the moment the
    queue shows), or from the policy for a decision made before the window was stored."""
    return case.appeal_due_at or appeal_window_closes(first_decided_at, calendar=calendar, policy=policy)


def _restricted(buyer_id: int, *, now: dt.datetime) -> Eligibility | None:
    restriction = protection_restriction(buyer_id, now=now)
    if restriction is None:
        return None
    return Eligibility(
        False,
        _("Buyer protection is restricted on your account since %(when)s: cases can no longer be opened.")
        % {"when": format_moment(restriction.effective_at)},
    )


def case_eligibility(
    *,
    order: Order,
    case_type: str,
    contact: SellerContact | None,
    now: dt.datetime,
    delivered_at: dt.datetime | None,
    open_case: Case | None = None,
    policy: Policy | None = None,
) -> Eligibility:
    """Decide whether a case of ``case_type`` may be opened on ``order`` at ``now``."""
    policy = policy or policy_current()
    if open_case is not None:
        return Eligibility(
            False,
            _("There is already an open case (no. %(number)s) for this item and reason.") % {"number": open_case.pk},
            open_case=open_case,
        )
    refusal = _restricted(order.buyer_id, now=now) or _outside_window(
        order=order, case_type=case_type, now=now, policy=policy, delivered_at=delivered_at
    )
    if refusal is not None:
        return refusal
    window_opens, closes_at = type_window(order=order, case_type=case_type, policy=policy, delivered_at=delivered_at)
    if contact is None:
        return Eligibility(
            False, _("Contact the seller first: most problems are solved that way."), closes_at=closes_at
        )
    contact_opens, needs_silence = contact_opens_at(contact, policy)
    if case_type == CaseType.SELLER_UNRESPONSIVE:
        silence_ends = contact.contacted_at + dt.timedelta(hours=policy.seller_silence_hours)
        if contact.seller_replied_at is not None and contact.seller_replied_at <= silence_ends:
            return Eligibility(
                False,
                _(
                    "The seller replied within %(hours)s hours of your message, so this is not a case of a seller "
                    "who does not reply. Pick the problem itself instead."
                )
                % {"hours": policy.seller_silence_hours},
            )
        # Silence is the reason itself: the case opens when the seller's time to reply is over.
        contact_opens, needs_silence = silence_ends, True
    opens_at = max(contact_opens, window_opens) if window_opens is not None else contact_opens
    if now >= opens_at:
        return Eligibility(True, _("You can open a case now."), opens_at=opens_at, closes_at=closes_at)
    when = format_moment(opens_at)
    if window_opens is not None and window_opens >= contact_opens:
        reason = _("You can open a case from %(when)s, after the latest estimated delivery date.") % {"when": when}
    elif needs_silence:
        reason = _("You can open a case from %(when)s, if the seller has not replied.") % {"when": when}
    else:
        reason = _("You can open a case from %(when)s, if the problem is not solved by then.") % {"when": when}
    return Eligibility(False, reason, opens_at=opens_at, closes_at=closes_at)
