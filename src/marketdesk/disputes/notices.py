"""The parties' notices about a dispute: who of the buyer and the shop's members is told, never the actor."""

from __future__ import annotations

from typing import Any

from marketdesk.notifications.inbox import notify
from marketdesk.orders.selectors import shop_member_ids


def parties_notify(
    *,
    buyer_id: int,
    shop_id: int,
    actor_id: int | None,
    to_buyer: bool,
    to_seller: bool,
    kind: str,
    data: dict[str, Any],
    url: str,
) -> set[int]:
    """Notify the buyer and/or the shop's members (never the actor); return the shop's members for the caller's use."""
    sellers = set(shop_member_ids(shop_id))
    recipients = set(sellers) if to_seller else set()
    if to_buyer:
        recipients.add(buyer_id)
    if actor_id is not None:
        recipients.discard(actor_id)
    notify(user_ids=recipients, kind=kind, data=data, url=url)
    return sellers
