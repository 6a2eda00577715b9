"""Two questions about an order that floors above answer and floors below ask, through registered readers.

* **When was it delivered?** The marketplace may say so (``Order.delivered_at``); when it has not
  (yet), the parcels tell: every parcel delivered means delivered, at the last one's moment. The
  shipping app knows parcels and registers that reader; cases and returns ask
  ``order_delivered_at()`` so a window "from delivery" opens the same moment on every page.
* **What is the order's situation?** ``marketdesk.situation`` builds it from the order, its lines,
  parcels, refunds, returns and cases, so it sits above all of them; pages on lower floors (Get help,
  the returns page, the case lists, the order's delivery card) read it through
  ``order_situation()`` / ``order_situations()`` instead of recomputing the rules.

The orders app is the substrate and may not import those apps: each registers its reader once, in
its ``AppConfig.ready()`` (as ``attachments.access.register_reader`` does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketdesk.orders.models import Order
    from marketdesk.situation.read import OrderSituation

DeliveryReader = Callable[["Order"], "dt.datetime | None"]
SituationReader = Callable[[list["Order"], "dt.datetime | None"], "dict[int, OrderSituation]"]

_delivery: list[DeliveryReader] = []
_situation: list[SituationReader] = []


def register_delivery_reader(reader: DeliveryReader) -> DeliveryReader:
    """Register how an order's delivery moment is read from its parcels (once)."""
    if _delivery and _delivery[0] is not reader:
        raise ValueError("a delivery reader is registered already")
    _delivery[:] = [reader]
    return reader


def register_situation_reader(reader: SituationReader) -> SituationReader:
    """Register the builder of orders' situations (once)."""
    if _situation and _situation[0] is not reader:
        raise ValueError("a situation reader is registered already")
    _situation[:] = [reader]
    return reader


def order_delivered_at(order: Order) -> dt.datetime | None:
    """Return when the order was delivered: as the marketplace said, else when its last parcel arrived."""
    if order.delivered_at is not None or not _delivery:
        return order.delivered_at
    return _delivery[0](order)


def order_situations(orders: Iterable[Order], *, now: dt.datetime | None = None) -> dict[int, OrderSituation]:
    """Return the situation of each order (from a selector), by order id, in a fixed number of queries."""
    if not _situation:
        raise LookupError("marketdesk.situation is not installed")
    return _situation[0](list(orders), now)


def order_situation(order: Order, *, now: dt.datetime | None = None, known: object = None) -> OrderSituation:
    """Return the situation of one order (from a selector); ``known``, one a page already read, if it is this order's."""
    if known is not None and getattr(known, "order", None) == order:
        return known  # type: ignore[return-value]
    return order_situations([order], now=now)[order.pk]
