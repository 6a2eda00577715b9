"""The buyer contacts the seller first; the seller's reply is recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.cases import events
from marketdesk.cases.models import SellerContact
from marketdesk.cases.services.common import _require_role
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import Conflict
from marketdesk.orders.models import Order
from marketdesk.orders.selectors import order_get_for_actor


def seller_contact_record(*, actor: Actor, order: Order) -> SellerContact:
    """Record the buyer's first contact with the seller about an order (repeats return the first)."""
    _require_role(actor, (Role.BUYER, Role.MARKETPLACE))
    order = order_get_for_actor(actor, pk=order.pk, details=False)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        contact = SellerContact.objects.filter(order=order, buyer_id=order.buyer_id).first()
        if contact is not None:
            return contact
        contact = SellerContact.objects.create(order=order, buyer_id=order.buyer_id, contacted_at=clock.now())
        events.seller_contacted(order=order, actor=actor, contact_id=contact.pk)
        return contact


def seller_reply_record(*, actor: Actor, order: Order) -> SellerContact:
    """Record the seller's first reply to the buyer's contact (later replies change nothing)."""
    _require_role(actor, (Role.SELLER,))
    order = order_get_for_actor(actor, pk=order.pk, details=False)
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        contact = SellerContact.objects.select_for_update().filter(order=order, buyer_id=order.buyer_id).first()
        if contact is None:
            raise Conflict(_("The buyer has not contacted you about this order."))
        if contact.seller_replied_at is None:
            contact.seller_replied_at = clock.now()
            contact.save(update_fields=["seller_replied_at"])
            events.seller_replied(order=order, actor=actor, contact_id=contact.pk)
        return contact
