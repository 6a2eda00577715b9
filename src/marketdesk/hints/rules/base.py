"""What a hint is, the live state rules read, and the registry they join."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.calendar import WorkCalendar
from marketdesk.core.policies import Policy
from marketdesk.orders.situation import order_situation

if TYPE_CHECKING:
    from marketdesk.cases.models import Case, SellerContact
    from marketdesk.ledger.models import LedgerEntry
    from marketdesk.orders.models import Order
    from marketdesk.shipping.models import Shipment
    from marketdesk.situation.read import OrderSituation


class Severity(models.TextChoices):
    # Ordered from the most pressing: hints are listed in this order.
    URGENT = "urgent", _("Act now")
    WARNING = "warning", _("Needs attention")
    INFO = "info", _("Good to know")


SEVERITY_RANK: dict[str, int] = {Severity.URGENT: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Hint:
    """One thing the buyer can do now: why (plain words), how pressing, and the one click that does it."""

    code: str
    severity: str
    reason: str
    action_label: str
    action_url: str
    cause: str = ""


@dataclass(frozen=True)
class OrderState:
    """Everything rules look at, read once: the order's situation (parcels, contact, cases, refunds) and links."""

    situation: OrderSituation
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def order(self) -> Order:
        return self.situation.order

    @property
    def shipments(self) -> list[Shipment]:
        return self.situation.shipments

    @property
    def contact(self) -> SellerContact | None:
        return self.situation.contact

    @property
    def open_cases(self) -> list[Case]:
        return self.situation.open_cases

    @property
    def refunds(self) -> list[LedgerEntry]:
        return self.situation.refunds

    @property
    def now(self) -> dt.datetime:
        return self.situation.now

    @property
    def policy(self) -> Policy:
        return self.situation.policy

    @property
    def calendar(self) -> WorkCalendar:
        return self.situation.calendar

    def url(self, name: str) -> str:
        return self.urls[name]


Rule = Callable[[OrderState], Hint | None]
_RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Add a rule to the registry under ``code`` (once)."""

    def register(fn: Rule) -> Rule:
        if code in _RULES and _RULES[code] is not fn:
            raise ValueError(f"hint rule {code} registered twice")
        _RULES[code] = fn
        return fn

    return register


def registered_rules() -> dict[str, Rule]:
    return dict(_RULES)


def hints_evaluate(state: OrderState) -> list[Hint]:
    """Run every rule over the state; the most pressing hints first."""
    found = [hint for fn in _RULES.values() if (hint := fn(state)) is not None]
    return sorted(found, key=lambda h: (SEVERITY_RANK.get(h.severity, 9), h.code))


def _returns_url(order_pk: int) -> str:
    """The returns app's "start a return" page when it is installed, else Get help."""
    path = f"/orders/{order_pk}/returns/new/"
    try:
        resolve(path)
    except Resolver404:
        return reverse("cases:get_help", args=[order_pk])
    return path


def order_state_read(order: Order, *, now: dt.datetime | None = None) -> OrderState:
    """Read an order's live state for the rules (the order must come from a selector)."""
    return order_state_of(order_situation(order, now=now))


def order_state_of(situation: OrderSituation) -> OrderState:
    """Return the rules' view of a situation already read (a page that shows both reads it once)."""
    order = situation.order
    urls = {
        "get_help": reverse("cases:get_help", args=[order.pk]),
        "conversation": reverse("messaging:conversation", args=[order.pk]),
        "return": _returns_url(order.pk),
        **{f"tracking:{s.pk}": reverse("shipping:tracking", args=[s.pk]) for s in situation.shipments},
        **{f"change:{s.pk}": reverse("shipping:change", args=[s.pk]) for s in situation.shipments},
    }
    return OrderState(situation=situation, urls=urls)
