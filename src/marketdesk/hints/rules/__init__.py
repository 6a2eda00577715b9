"""The hints engine: "what to do now" on an order, from small pure rules kept in a registry.

Each rule is one module of this package: a function decorated with ``@rule`` that reads the
order's live state (``OrderState``, read once per order in a fixed number of queries) and
returns a ``Hint`` or nothing. Adding a rule is adding one file here; it is found on import.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from marketdesk.hints.rules.base import (
    Hint,
    OrderState,
    Severity,
    hints_evaluate,
    order_state_of,
    order_state_read,
    registered_rules,
    rule,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        import_module(f"{__name__}.{_module.name}")

__all__ = [
    "Hint",
    "OrderState",
    "Severity",
    "hints_evaluate",
    "order_state_of",
    "order_state_read",
    "registered_rules",
    "rule",
]
