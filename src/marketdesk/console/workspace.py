"""The console's macros on a case's workspace (registered with ``cases.workspace_macros`` in ``ConsoleConfig.ready()``)."""

from __future__ import annotations

from marketdesk.cases.models import Case
from marketdesk.cases.workspace_macros import WorkspaceMacros
from marketdesk.console.models import MacroUse
from marketdesk.console.selectors.macros import macros_for_actor
from marketdesk.core.actors import Actor


def case_workspace_macros(actor: Actor, case: Case) -> WorkspaceMacros:
    """Return the operator's active macros for the reply box and the rationale, the buyer's language first."""
    # The buyer's language first: the macro most likely wanted is the one already selected.
    macros = sorted(
        macros_for_actor(actor, active_only=True), key=lambda m: (m.language != case.buyer.language, m.title)
    )
    return WorkspaceMacros(
        reply=[m for m in macros if m.use in (MacroUse.REPLY, MacroUse.BOTH)],
        rationale=[m for m in macros if m.use in (MacroUse.RATIONALE, MacroUse.BOTH)],
    )
