"""Buyer protection for this order ends within a few days: act now or lose it."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from marketdesk.cases.models import CaseType
from marketdesk.core.formatting import format_moment
from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule


@rule("protection_closing")
def protection_closing(state: OrderState) -> Hint | None:
    situation = state.situation
    if state.open_cases or situation.settled:
        return None
    case_type = situation.protection_case_type
    opens, closes = situation.case_window(case_type)
    if opens is None or closes is None or not opens <= state.now <= closes:
        return None
    if closes - state.now > dt.timedelta(days=state.policy.protection_closing_warning_days):
        return None
    if case_type == CaseType.ITEM_NOT_RECEIVED:
        reason = _("If your order has not arrived, you can claim buyer protection only until %(when)s. Act now.")
    else:
        reason = _(
            "If something is wrong with your order, you can claim buyer protection only until %(when)s. Act now."
        )
    return Hint(
        "protection_closing",
        Severity.URGENT,
        reason % {"when": format_moment(closes)},
        _("Get help now"),
        state.url("get_help"),
    )
