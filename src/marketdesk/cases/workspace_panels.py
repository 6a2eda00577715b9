"""Panels that apps above cases add to a case's workspace, without cases importing them.

An app above cases (the risk signals) registers a panel in its ``AppConfig.ready()``
(``register_workspace_panel``, as ``cases.workspace_macros``); the workspace draws each one's
markup in the side column. Without any, the workspace draws none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from marketdesk.cases.models import Case
    from marketdesk.core.actors import Actor


class WorkspacePanel(Protocol):
    def __call__(self, request: HttpRequest, actor: Actor, case: Case) -> SafeString | str: ...


_PANELS: dict[str, WorkspacePanel] = {}


def register_workspace_panel(name: str, panel: WorkspacePanel) -> WorkspacePanel:
    """Register a panel of the case workspace under ``name`` (once per name)."""
    if _PANELS.setdefault(name, panel) is not panel:
        raise ValueError(f"a workspace panel {name!r} is registered already")
    return panel


def workspace_panels(request: HttpRequest, actor: Actor, case: Case) -> list[SafeString | str]:
    """Return the markup of every registered panel for ``actor`` on ``case`` (empty ones left out)."""
    drawn = (_PANELS[name](request, actor, case) for name in sorted(_PANELS))
    return [markup for markup in drawn if markup]
