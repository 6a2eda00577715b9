"""Sign-in, sign-out and the lockout answer after too many wrong passwords."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def login_locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Answer a locked-out sign-in with the form and a clear, translated reason (HTTP 429)."""
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request)
    return render(
        request,
        "web/login.html",
        {"form": form, "lockout": _("Too many wrong passwords. For your safety, signing in is paused for 15 minutes.")},
        status=429,
    )
