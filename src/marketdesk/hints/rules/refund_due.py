"""A refund was promised: say when it is due, and what to do once it is late."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.core.calendar import due_at
from marketdesk.core.formatting import format_moment
from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule
from marketdesk.ledger.models import InstructionStatus


@rule("refund_due")
def refund_due(state: OrderState) -> Hint | None:
    if not state.refunds:
        return None
    refund = state.refunds[-1]
    due = due_at(refund.created_at, calendar_days=state.policy.refund_arrival_days, calendar=state.calendar)
    amount = refund.amount.format()
    if state.now <= due:
        return Hint(
            "refund_due",
            Severity.INFO,
            _("A refund of %(amount)s was issued on %(issued)s. It should reach you by %(when)s.")
            % {"amount": amount, "issued": format_moment(refund.created_at), "when": format_moment(due)},
            _("Ask the seller about it"),
            state.url("conversation"),
        )
    if refund.instruction_status == InstructionStatus.ACKNOWLEDGED:
        return None
    return Hint(
        "refund_due",
        Severity.WARNING,
        _("Your refund of %(amount)s was due by %(when)s and has not been confirmed. You can ask us to look into it.")
        % {"amount": amount, "when": format_moment(due)},
        _("Report a missing refund"),
        state.url("get_help"),
    )
