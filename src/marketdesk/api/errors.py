"""One error shape for the whole API: RFC 9457 ``application/problem+json``.

Every failure — a DomainError from a service, a schema that does not
validate, a missing key, a wrong method, an unknown URL or a bug — leaves the
API as a problem document with ``type``, ``title``, ``status``, ``detail``,
``code`` and, where fields are at fault, ``errors: [{field, message}]``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from pydantic import ValidationError as PydanticValidationError

from marketdesk.core.errors import DomainError

logger = logging.getLogger("marketdesk.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://marketdesk.dev/problems/"


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """An RFC 9457 problem document, as every error of this API is."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldErrorOut] = []


def problem(
    status: int, code: str, title: Any, detail: Any, *, errors: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    """Return a problem body; ``title`` and ``detail`` may be lazy translations."""
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_BASE}{code}",
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "code": code,
    }
    errors = [{"field": e["field"], "message": str(e["message"])} for e in errors]
    if errors:
        body["errors"] = errors
    return body


def problem_response(body: dict[str, Any], *, headers: dict[str, str] | None = None) -> HttpResponse:
    """Render a problem body with its status and media type."""
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=body["status"],
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- pydantic / ninja validation errors -------------------------------------------------------------

# pydantic's own messages are English only; these are the ones a client meets in practice.
_VALIDATION_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not expected here."),
    "int_type": _("Enter a whole number (amounts are integers in minor units)."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number (amounts are integers in minor units)."),
    "bool_type": _("Enter true or false."),
    "string_type": _("Enter text."),
    "string_too_short": _("This is too short: at least %(min_length)s characters."),
    "string_too_long": _("This is too long: at most %(max_length)s characters."),
    "string_pattern_mismatch": _("This does not have the expected format."),
    "greater_than": _("Must be greater than %(gt)s."),
    "greater_than_equal": _("Must be at least %(ge)s."),
    "less_than": _("Must be less than %(lt)s."),
    "less_than_equal": _("Must be at most %(le)s."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "datetime_type": _("Enter a date and time (ISO 8601 with a time zone)."),
    "datetime_parsing": _("Enter a date and time (ISO 8601 with a time zone)."),
    "datetime_from_date_parsing": _("Enter a date and time (ISO 8601 with a time zone)."),
    "timezone_aware": _("Times must include a time zone."),
    "json_invalid": _("The request body is not valid JSON."),
}


def _field_path(loc: Iterable[Any]) -> str:
    """Turn ninja's location into a client's field path: ("body", "payload", "lines", 0, "x") → "lines.0.x"."""
    parts = list(loc)
    if parts and parts[0] == "body":
        # ninja nests the body under the view's parameter name; the client never sent that name.
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def _validation_message(error: dict[str, Any]) -> str:
    template = _VALIDATION_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", _("This value is not valid.")))
    ctx = dict(error.get("ctx") or {})
    try:
        return str(template) % ctx if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", template))


def validation_problem(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the 422 problem for ninja's validation errors, each error naming its field."""
    items = [{"field": _field_path(e.get("loc", ())) or "body", "message": _validation_message(e)} for e in errors]
    detail = items[0]["message"] if len(items) == 1 else _("%(count)s fields are not valid.") % {"count": len(items)}
    return problem(422, "invalid", _("Some of the data is not valid."), detail, errors=items)


def model_validation_problem(exc: PydanticValidationError) -> dict[str, Any]:
    """Return the 422 problem for a schema validated by hand (fields relative to that schema)."""
    return validation_problem([{**e, "loc": ("body", "", *e["loc"])} for e in exc.errors(include_url=False)])


# --- handlers ----------------------------------------------------------------------------------------


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="marketdesk"'} if exc.status == 401 else None
    return problem_response(exc.problem(), headers=headers)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors):
        # An id in the address that is no number, or out of range, names nothing: not found, as any unknown id.
        return problem_response(_generic(404))
    return problem_response(validation_problem(exc.errors))


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = problem(401, "not_authenticated", _("Authentication required."), _("Sign in or send a valid API key."))
    return problem_response(body, headers={"WWW-Authenticate": 'Bearer realm="marketdesk"'})


def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(problem(403, "forbidden", _("Not allowed."), _("You are not allowed to do this.")))


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    body = problem(429, "rate_limited", _("Too many requests."), _("Too many attempts. Please wait and try again."))
    headers = {"Retry-After": str(max(1, math.ceil(exc.wait)))} if exc.wait is not None else None
    return problem_response(body, headers=headers)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, (ValueError, UnicodeDecodeError)):
        # ninja says "Cannot parse request body" for any broken JSON; tell the client what and where.
        detail: Any = _("The request body is not valid JSON.")
        if isinstance(cause, json.JSONDecodeError):
            detail = _("The request body is not valid JSON: %(error)s at line %(line)s, column %(column)s.") % {
                "error": cause.msg,
                "line": cause.lineno,
                "column": cause.colno,
            }
        return problem_response(problem(400, "malformed_json", _("The request could not be read."), detail))
    if exc.status_code == 403 and "CSRF" in exc.message:
        body = problem(
            403,
            "csrf_failed",
            _("Not allowed."),
            _("The CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value."),
        )
        return problem_response(body)
    # Anything else ninja raises carries an English developer message; keep the status, give a generic text.
    return problem_response(_generic(exc.status_code))


def _malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    detail = _("The request body is not valid multipart/form-data (send the boundary in the Content-Type).")
    return problem_response(problem(400, "malformed_body", _("The request could not be read."), detail))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(problem(404, "not_found", _("Not found."), _("Nothing was found here.")))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The client gets no internals; the log gets everything.
    logger.error("Unhandled error in API %s %s", request.method, request.path, exc_info=exc)
    return problem_response(_generic(500))


_GENERIC: dict[int, tuple[str, Any, Any]] = {
    400: ("bad_request", _("Bad request."), _("The request could not be carried out.")),
    401: ("not_authenticated", _("Authentication required."), _("Sign in or send a valid API key.")),
    403: ("forbidden", _("Not allowed."), _("You are not allowed to do this.")),
    404: ("not_found", _("Not found."), _("Nothing was found here.")),
    405: ("method_not_allowed", _("Method not allowed."), _("This address does not accept this method.")),
    409: ("conflict", _("Conflict with the current state."), _("This conflicts with what is already recorded.")),
    429: ("rate_limited", _("Too many requests."), _("Too many attempts. Please wait and try again.")),
    500: ("server_error", _("Something went wrong."), _("An unexpected error occurred; it has been logged.")),
}


def _generic(status: int) -> dict[str, Any]:
    code, title, detail = _GENERIC.get(status, _GENERIC[500] if status >= 500 else _GENERIC[400])
    return problem(status, code, title, detail)


def method_not_allowed(allowed: Iterable[str]) -> HttpResponse:
    """Return the 405 problem with the ``Allow`` header."""
    return problem_response(_generic(405), headers={"Allow": ", ".join(sorted(allowed))})


def problem_view_wrapper(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ninja path view so its plain-text 405 becomes a problem document."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(m.strip() for m in response["Allow"].split(","))
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # ninja checks CSRF in its cookie auth
    return wrapped


def unknown_path_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Answer an address under the API that does not exist."""
    return problem_response(_generic(404))


unknown_path_view.csrf_exempt = True  # type: ignore[attr-defined]


def install_exception_handlers(api: NinjaAPI) -> None:
    """Map every exception the API can meet to a problem document."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (DomainError, _domain_error),
        (ValidationError, _validation_error),
        (AuthenticationError, _authentication_error),
        (AuthorizationError, _authorization_error),
        (Throttled, _throttled),
        (HttpError, _http_error),
        (MultiPartParserError, _malformed_multipart),
        (Http404, _not_found),
        (DjangoPermissionDenied, _authorization_error),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
