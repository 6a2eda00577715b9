"""The front door (each role's home) and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from marketdesk.accounts.models import Language
from marketdesk.accounts.services import user_set_language
from marketdesk.core.actors import Role
from marketdesk.core.errors import DomainValidationError

ROLE_HOMES: dict[str, str] = {
    Role.BUYER: "web:buyer_orders",
    Role.SELLER: "web:seller_orders",
    Role.OPERATOR: "console:queue",
    Role.ADMIN: "web:admin_home",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home, and anonymous visitors to sign-in."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    return redirect(ROLE_HOMES.get(getattr(request.user, "role", ""), "web:login"))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and go back to where the switch was pressed."""
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("web:home")
    response = HttpResponseRedirect(next_url)
    language = request.POST.get("language", "")
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        try:
            user_set_language(user=request.user, language=language)
        except DomainValidationError:
            return response
    # The cookie keeps the choice for a signed-out visitor and on the sign-in page after signing out.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
