"""Refuse a request body that is too large before Django reads it (ASGI middleware around the whole app).

Django's ASGI handler reads the whole body into a spooled temporary file before any view or
middleware runs, so a view's own size check comes after the disk is already written. This
middleware sits in front of it (``marketdesk.asgi``) and answers 413 itself:

- at once, without reading a byte, when ``Content-Length`` says the body is too large;
- as soon as a streamed body (``Transfer-Encoding: chunked``, no length) passes the limit: the
  chunk that crosses it is never handed on, Django is told the client went away, and the
  answer is ours.

The limit depends on the route. Forms and JSON get ``REQUEST_BODY_MAX_BYTES`` (below Django's
in-memory threshold, so they never touch the disk). Upload routes get the policy's file size
times the files they may carry, but only for a caller who presents credentials (a session
cookie or an ``Authorization`` header): an anonymous caller is held to the small limit there and
answered 401 beyond it, so no one can make the server spool a large body before signing in.
Whether the credentials are valid is the view's to decide, on a body already bounded.

The answer is a translated problem document under ``/api/`` and for the upload endpoints
scripts call, a small translated page otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketdesk.api.errors import PROBLEM_CONTENT_TYPE
from marketdesk.attachments.uploads import UploadRoute, files_allowed, upload_route
from marketdesk.core.errors import DomainError, NotAuthenticated
from marketdesk.core.policies import policy_current

Scope = dict[str, Any]
Message = Any  # a dict as sent, a Mapping as Django's handler types it
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MB = 1024 * 1024
# What a multipart body carries beyond each file: its part headers, boundaries, the form's fields.
MULTIPART_OVERHEAD = 64 * 1024


class BodyTooLarge(DomainError):
    status = 413
    code = "body_too_large"
    title = _("The request is too large.")


def _upload_limit(route: UploadRoute) -> int:
    return files_allowed(route) * (int(policy_current().values.attachment_max_mb) * MB + MULTIPART_OVERHEAD)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _has_credentials(headers: dict[bytes, bytes]) -> bool:
    if headers.get(b"authorization"):
        return True
    cookie = headers.get(b"cookie", b"").decode("latin-1")
    return re.search(rf"(?:^|;)\s*{re.escape(settings.SESSION_COOKIE_NAME)}=[^;\s]", cookie) is not None


def _language(headers: dict[bytes, bytes]) -> str:
    request = HttpRequest()
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _sep, value = part.strip().partition("=")
        request.COOKIES[name] = value
    return translation.get_language_from_request(request)


def _error(refusal: str, limit: int) -> DomainError:
    """Return the error for a refusal, in the active language."""
    if refusal == "anonymous":
        return NotAuthenticated(gettext("Sign in to upload files."))
    if refusal == "upload":
        return BodyTooLarge(
            gettext("The files are larger than the %(max_mb)s MB this upload accepts.") % {"max_mb": limit // MB}
        )
    return BodyTooLarge(
        gettext("The request is larger than the %(max_kb)s KB this page accepts.") % {"max_kb": limit // 1024}
    )


def _refusal(refusal: str, limit: int, *, problem: bool, language: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    with translation.override(language):
        error = _error(refusal, limit)
        if problem:
            body = json.dumps(error.problem(), ensure_ascii=False).encode()
            content_type = PROBLEM_CONTENT_TYPE
        else:
            page = format_html(
                '<!doctype html><html lang="{}"><meta charset="utf-8"><title>{}</title><h1>{}</h1><p>{}</p></html>',
                language,
                error.title,
                error.title,
                error.message,
            )
            body = page.encode()
            content_type = "text/html; charset=utf-8"
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
        (b"connection", b"close"),  # the rest of the body is not wanted on this connection
    ]
    return error.status, headers, body


class BodyLimitMiddleware:
    """Wrap an ASGI app so that no request body beyond its route's limit is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path = scope.get("path", "")
        route = upload_route(path)
        problem = path.startswith("/api/") or (route is not None and route.problem)
        limit = int(settings.REQUEST_BODY_MAX_BYTES)
        refusal = "body"
        if route is not None and _has_credentials(headers):
            limit = await sync_to_async(_upload_limit)(route)
            refusal = "upload"
        elif route is not None:
            refusal = "anonymous"
        refuse = partial(self._refuse, send, refusal, limit, problem=problem, headers=headers)

        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await refuse()
            return

        received = 0
        refused = False
        started = False

        async def bounded_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Not handed on: Django drops what it has read and returns without answering.
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return
            started = True
            await send(message)

        await self.app(scope, bounded_receive, guarded_send)
        if refused and not started:
            await refuse()

    async def _refuse(
        self, send: Send, refusal: str, limit: int, *, problem: bool, headers: dict[bytes, bytes]
    ) -> None:
        status, response_headers, body = _refusal(refusal, limit, problem=problem, language=_language(headers))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
