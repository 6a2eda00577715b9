"""The buyer's contact with the seller, as the order's conversation shows it (before any case opens).

Messaging sits below cases and does not know them: it tells the listeners registered with
``messaging.services.register_order_message_listener`` of each message posted to an order's
conversation, inside the posting's transaction; cases register ``order_message_noted`` there.
"""

from __future__ import annotations

from marketdesk.cases.models import SellerContact
from marketdesk.cases.services.contact import seller_contact_record, seller_reply_record
from marketdesk.core.actors import Actor, Role
from marketdesk.messaging.models import Message
from marketdesk.orders.models import Order


def order_message_noted(*, actor: Actor, order: Order, message: Message) -> None:
    """Note the buyer's first message as the contact with the seller, and the seller's first reply to it."""
    if message.author_role == Role.BUYER:
        seller_contact_record(actor=actor, order=order)
    elif message.author_role == Role.SELLER and SellerContact.objects.filter(order=order).exists():
        seller_reply_record(actor=actor, order=order)
