"""Responses that carry someone's data are never kept by a browser's or a proxy's cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Add ``Cache-Control: private, no-store`` to every answer to a signed-in person or an API key.

    A shared computer's back button or a caching proxy must not show one person's cases to the
    next. Answers that set their own Cache-Control keep it, with ``private, no-store`` added.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "Authorization" in request.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response
