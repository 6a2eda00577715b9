"""Sign-in, sign-out, password reset and the lockout answer after too many wrong passwords."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import ngettext

from marketdesk.accounts.oidc import oidc_config_of, oidc_configs, oidc_logout_url
from marketdesk.core.proxies import client_ip
from marketdesk.core.throttle import throttle_hit, throttle_reached
from marketdesk.web.views import oidc

DEMO_ACCOUNTS = ("buyer", "seller", "operator", "admin")
DEMO_PASSWORD = "demo"  # noqa: S105 -- the published demo password, shown only in demo mode


def _demo_context() -> dict[str, Any]:
    if not settings.DEMO_MODE:
        return {}
    return {"demo_accounts": DEMO_ACCOUNTS, "demo_password": DEMO_PASSWORD}


class LoginView(auth_views.LoginView):
    """Django's sign-in (it passes ``request`` to ``authenticate``, which axes needs)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_demo_context(), "oidc_configs": oidc_configs()}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # axes pauses one username at one address; this pauses an address trying many usernames.
        if throttle_reached("sign_in_client", client_ip(request) or ""):
            return login_locked_out(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttle_hit("sign_in_client", client_ip(self.request) or "")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as in Django); after an OpenID sign-in, at the marketplace's provider too."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signed_in_by = request.session.get(oidc.SESSION_KEY) or {}
        config = oidc_config_of(str(signed_in_by.get("marketplace", "")))
        response = super().post(request, *args, **kwargs)  # marketdesk's session ends whatever the provider says
        if config is None:
            return response
        back = str(settings.MARKETDESK_BASE_URL).rstrip("/") + str(reverse_lazy("web:login"))
        url = oidc_logout_url(config=config, id_token=signed_in_by["id_token"], post_logout_redirect_uri=back)
        if not url:
            return response
        # A page that moves on by itself, not a redirect: the Content-Security-Policy's form-action keeps a
        # form's redirects on our own origin, and the provider's end-session address is another one.
        return render(request, "web/signing_out.html", {"url": url})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/password_reset_form.html"
    email_template_name = "web/password_reset_email.txt"
    subject_template_name = "web/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Over either limit no mail goes out, and the answer is the same page as ever: it must not
        # tell whether the address has an account, nor that the limit was reached.
        for_address = throttle_hit("password_reset_address", form.cleaned_data["email"].casefold())
        from_client = throttle_hit("password_reset_client", client_ip(self.request) or "")
        if not (for_address.allowed and from_client.allowed):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """Answer a locked-out sign-in with the form and a clear, translated reason (HTTP 429)."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    lockout = ngettext(
        "Too many wrong passwords. For your safety, signing in is paused for %(minutes)d minute.",
        "Too many wrong passwords. For your safety, signing in is paused for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {"form": AuthenticationForm(request), "lockout": lockout, **_demo_context()}
    return render(request, "web/login.html", context, status=429)
