"""The storefront's one page: the signed-in person's orders, each with a way into marketdesk."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from marketdesk.core.actors import Actor, Role
from marketdesk.orders.selectors import orders_for_actor
from marketdesk.simulator.services.loading import DEFAULT_SLUG

#: The marketdesk page each role lands on for an order.
# By the marketplace's own order number: a real marketplace does not know marketdesk's ids.
LANDING: dict[str, str] = {Role.BUYER.value: "/orders/ref/{ref}/help/", Role.SELLER.value: "/orders/ref/{ref}/"}


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    """List the person's latest orders with a button that signs them in to marketdesk on that order."""
    actor = Actor.for_user(request.user)
    landing = LANDING.get(str(actor.role), "/")
    start_path = reverse("web:oidc_start", kwargs={"marketplace": DEFAULT_SLUG}, urlconf="marketdesk.urls")
    start = str(settings.MARKETDESK_BASE_URL).rstrip("/") + start_path
    rows = [
        (order, f"{start}?{urlencode({'next': landing.format(ref=quote(order.external_id))})}")
        for order in orders_for_actor(actor)[:20]
    ]
    return render(request, "storefront/orders.html", {"rows": rows, "role": actor.role})
