"""The order arrived and may still be sent back: say until when, and how to start."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.cases.eligibility import format_moment
from marketdesk.core.calendar import due_at
from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule


@rule("return_window")
def return_window(state: OrderState) -> Hint | None:
    delivered_at = state.delivered_at
    if delivered_at is None:
        return None
    closes = due_at(delivered_at, calendar_days=state.policy.return_window_days, calendar=state.calendar)
    if state.now > closes:
        return None
    return Hint(
        "return_window",
        Severity.INFO,
        _("You can return this order until %(when)s.") % {"when": format_moment(closes)},
        _("Start a return"),
        state.url("return"),
    )
