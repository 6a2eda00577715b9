"""Signing in through a hand-off link the marketplace signed (``GET /sso/handoff?token=…``)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketdesk.accounts.handoff import Destination, handoff_redeem
from marketdesk.accounts.models import UserRole
from marketdesk.core.errors import DomainError

# The page a redeemed link lands on for one of the person's orders, by role and page.
ORDER_PAGES = {
    (UserRole.BUYER, "help"): "cases:get_help",
    (UserRole.BUYER, "order"): "web:order_detail",
    (UserRole.SELLER, "order"): "web:seller_order_detail",
}


def _url_of(destination: Destination, role: str) -> str:
    if destination.order_id is None:
        return destination.path
    return reverse(ORDER_PAGES[(UserRole(role), destination.page)], kwargs={"pk": destination.order_id})


@never_cache
@require_GET
def sso_handoff(request: HttpRequest) -> HttpResponse:
    """Redeem the link: sign the person in and send them where the marketplace said, or say why not."""
    try:
        result = handoff_redeem(token=request.GET.get("token", ""))
    except DomainError as exc:
        status = 400 if exc.status in (400, 422) else 403
        response = render(request, "web/handoff_refused.html", {"reason": exc.message}, status=status)
    else:
        login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
        response = redirect(_url_of(result.destination, result.user.role))
    # The token is in this page's address; it must not travel on to another site in a Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response
