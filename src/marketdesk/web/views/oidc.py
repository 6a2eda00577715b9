"""Signing in through a marketplace's OpenID provider: the start (``/sso/oidc/<slug>/``) and the callback."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketdesk.accounts.models import SignInConfig
from marketdesk.accounts.oidc import oidc_authorization_url, oidc_config_of, oidc_sign_in
from marketdesk.core.errors import DomainError

#: What the session keeps after an OpenID sign-in, for signing out at the provider too.
SESSION_KEY = "marketdesk_oidc"


def _config(marketplace: str) -> SignInConfig:
    config = oidc_config_of(marketplace)
    if config is None:
        raise Http404
    return config


def redirect_uri(marketplace: str) -> str:
    """The callback registered at the provider: fixed by our base URL, never taken from the Host header."""
    path = reverse("web:oidc_callback", kwargs={"marketplace": marketplace})
    return str(settings.MARKETDESK_BASE_URL).rstrip("/") + path


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "web/oidc_refused.html", {"reason": exc.message}, status=exc.status)


@never_cache
@require_GET
def oidc_start(request: HttpRequest, marketplace: str) -> HttpResponse:
    """Send the browser to the marketplace's provider, remembering where it was going."""
    config = _config(marketplace)
    try:
        url = oidc_authorization_url(
            config=config,
            request=request,
            redirect_uri=redirect_uri(marketplace),
            next_path=request.GET.get("next", ""),
        )
    except DomainError as exc:
        return _refused(request, exc)
    return redirect(url)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest, marketplace: str) -> HttpResponse:
    """Check the provider's answer, sign the person in and send them where they were going, or say why not."""
    config = _config(marketplace)
    try:
        result = oidc_sign_in(config=config, request=request)
    except DomainError as exc:
        response = _refused(request, exc)
    else:
        login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = {"marketplace": marketplace, "id_token": result.id_token}
        response = redirect(result.next_path)
    # The code is in this page's address; it must not travel on to another site in a Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response
