"""The macros an operator may start a reply or a rationale from on a case's workspace.

Macros belong to the console, which sits above cases; the console registers where they come from in
its ``AppConfig.ready()`` (``register_workspace_macros``, as ``attachments.access.register_reader``).
Without it the workspace offers none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from marketdesk.cases.models import Case
    from marketdesk.core.actors import Actor


@dataclass(frozen=True, slots=True)
class WorkspaceMacros:
    """The macros for the reply box and those for the rationale, the buyer's language first."""

    reply: list[Any] = field(default_factory=list)
    rationale: list[Any] = field(default_factory=list)


class WorkspaceMacrosSource(Protocol):
    def __call__(self, actor: Actor, case: Case) -> WorkspaceMacros: ...


_SOURCES: dict[str, WorkspaceMacrosSource] = {}


def register_workspace_macros(source: WorkspaceMacrosSource) -> WorkspaceMacrosSource:
    """Register where the workspace's macros come from (the console does, once)."""
    if _SOURCES.setdefault("macros", source) is not source:
        raise ValueError("a workspace macros source is registered already")
    return source


def workspace_macros(actor: Actor, case: Case) -> WorkspaceMacros:
    """Return the macros ``actor`` may use on ``case``'s workspace."""
    source = _SOURCES.get("macros")
    return WorkspaceMacros() if source is None else source(actor, case)
