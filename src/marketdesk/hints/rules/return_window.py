"""The order arrived and may still be sent back: say until when, and how to start."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.hints.rules.base import Hint, OrderState, Severity, rule


@rule("return_window")
def return_window(state: OrderState) -> Hint | None:
    option = state.situation.return_option
    if not option.allowed:
        return None
    return Hint("return_window", Severity.INFO, option.reason, _("Start a return"), state.url("return"))
