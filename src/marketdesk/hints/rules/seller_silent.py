"""The seller has not answered the buyer for the policy's silence time: a case can be opened."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule


@rule("seller_silent")
def seller_silent(state: OrderState) -> Hint | None:
    contact = state.contact
    if contact is None or contact.seller_replied_at is not None or state.open_cases:
        return None
    hours = state.policy.seller_silence_hours
    if state.now < contact.contacted_at + dt.timedelta(hours=hours):
        return None
    return Hint(
        "seller_silent",
        Severity.WARNING,
        _("The seller has not replied for %(hours)s hours. You can open a case and we will step in.")
        % {"hours": hours},
        _("Open a case"),
        state.url("get_help"),
    )
