"""The risk panel of a case's workspace: the buyer's and the seller's signals with the orders behind them.

Registered with ``cases.workspace_panels`` in ``RiskConfig.ready()``; the workspace is the operators'.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from marketdesk.cases.models import Case
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order
from marketdesk.risk.selectors import STAFF, risk_signals_for_party


def case_risk_panel(request: HttpRequest, actor: Actor, case: Case) -> SafeString | str:
    """Draw the signals of the case's buyer and shop, each with its orders, cases and returns, for operators."""
    signals = [
        *risk_signals_for_party(actor, buyer_id=case.buyer_id),
        *risk_signals_for_party(actor, shop_id=case.shop_id),
    ]
    if actor.role not in STAFF:
        return ""
    order_ids = {pk for signal in signals for pk in signal.order_ids}
    numbers = dict(Order.objects.filter(pk__in=order_ids).values_list("pk", "external_id"))
    rows = [
        {
            "signal": signal,
            "party": "buyer" if signal.buyer_id else "seller",
            "orders": [(pk, numbers[pk]) for pk in signal.order_ids if pk in numbers],
        }
        for signal in signals
    ]
    return render_to_string("risk/_case_panel.html", {"rows": rows, "case_id": case.pk}, request=request)
