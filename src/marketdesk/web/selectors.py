"""Reads that only the web pages need, built on the domain selectors.

The operator dashboard lives here until the console app has its own
selectors; it reaches orders only through ``orders_for_actor``, so an
operator never counts another marketplace's orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from marketdesk.core.actors import Actor
from marketdesk.core.models import TimelineEvent
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor, order_timeline_for_actor, orders_for_actor
from marketdesk.orders.states import OrderStatus

LATEST_ORDERS = 10


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class OperatorDashboard:
    total: int
    by_status: list[StatusCount]
    latest: list[Order]


def operator_dashboard_for_actor(actor: Actor) -> OperatorDashboard:
    """Return order counts by status and the latest orders the actor may see."""
    visible = orders_for_actor(actor)
    rows = visible.order_by().values("status").annotate(n=Count("pk", distinct=True)).values_list("status", "n")
    counts = dict(rows)
    by_status = [
        StatusCount(status=str(status), label=str(status.label), count=counts.get(status.value, 0))
        for status in OrderStatus
    ]
    return OperatorDashboard(
        total=sum(c.count for c in by_status), by_status=by_status, latest=list(visible[:LATEST_ORDERS])
    )


@dataclass(frozen=True, slots=True)
class OrderPage:
    order: Order
    timeline: list[TimelineEvent]


def order_page_for_actor(actor: Actor, *, pk: int) -> OrderPage:
    """Return one order the actor may see with its timeline as they may see it, or raise NotFound."""
    order = order_get_for_actor(actor, pk=pk)
    return OrderPage(order=order, timeline=list(order_timeline_for_actor(actor, order)))
