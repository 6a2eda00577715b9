"""The REST API at /api/v1/: one NinjaAPI, its routers, and problem+json for every failure."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from marketdesk.api.auth import ApiKeyThrottle
from marketdesk.api.errors import (
    PROBLEM_CONTENT_TYPE,
    install_exception_handlers,
    problem_view_wrapper,
    unknown_path_view,
)

_PROBLEM_REF = "#/components/schemas/ProblemOut"


class MarketdeskAPI(NinjaAPI):
    """NinjaAPI whose wrong-method and unknown-address answers are problem documents too.

    ninja answers those outside its exception handlers (a plain-text 405 from
    its path view, Django's HTML 404 for an address it has no route for), so
    the URL patterns are wrapped here instead.
    """

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[URLResolver | URLPattern] = []
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                view = problem_view_wrapper(pattern.callback)
                wrapped.append(path(str(pattern.pattern), view, pattern.default_args, pattern.name))
            else:
                wrapped.append(pattern)
        wrapped.append(path("<path:rest>", unknown_path_view, name="unknown"))
        return wrapped, app_name, namespace

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        """Document error responses with the media type they are really sent with."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document_shared_answers(operation)
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if content.get("application/json", {}).get("schema", {}).get("$ref") == _PROBLEM_REF:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


_PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
# Answers any operation may give whatever its router declares: the body cannot be read (400), an id in
# the address names nothing (404), a field is not valid (422), the key called too often (429).
_SHARED_ANSWERS: dict[str, dict[str, Any]] = {
    "400": {
        "description": "The request body could not be read (malformed JSON or multipart), or the cursor is not one we issued."
    },
    "404": {"description": "Nothing was found at this address."},
    "422": {"description": "Some of the data is not valid; `errors` names each field."},
    "429": {
        "description": "Too many requests from this API key; wait the seconds in Retry-After.",
        "headers": {
            "Retry-After": {"description": "Seconds until the key may call again.", "schema": {"type": "integer"}}
        },
    },
}


def _document_shared_answers(operation: dict[str, Any]) -> None:
    """Add the problem answers an operation can give through the assembly rather than its own code."""
    parameters = operation.get("parameters", [])
    wanted = ["429"]
    if "requestBody" in operation:
        wanted += ["400", "422"]
    if parameters:
        wanted.append("422")
    if any(p.get("name") == "cursor" for p in parameters):
        wanted.append("400")
    if any(p.get("in") == "path" for p in parameters):
        wanted.append("404")
    responses = operation.setdefault("responses", {})
    for code in wanted:
        if code not in responses:
            responses[code] = {**_SHARED_ANSWERS[code], "content": _PROBLEM_CONTENT}
        elif code == "429":
            responses[code].setdefault("headers", _SHARED_ANSWERS["429"]["headers"])


api = MarketdeskAPI(
    title="marketdesk API",
    version="1",
    urls_namespace="api",
    throttle=[ApiKeyThrottle()],
    description=(
        "The resolution center's REST API. Authenticate with `Authorization: Bearer mdk_…` "
        "(a marketplace's key) or a signed-in session (with the CSRF token for unsafe methods). "
        "Amounts are integers in minor units; times are ISO 8601 with a time zone; "
        "every error is `application/problem+json` (RFC 9457)."
    ),
)
install_exception_handlers(api)


def _register_routers(target: NinjaAPI) -> None:
    from marketdesk.accounts.api import router as accounts_router
    from marketdesk.attachments.api import router as attachments_router
    from marketdesk.cases.api import router as cases_router
    from marketdesk.helpcenter.api import router as helpcenter_router
    from marketdesk.hints.api import router as hints_router
    from marketdesk.ledger.api import router as ledger_router
    from marketdesk.messaging.api import router as messaging_router
    from marketdesk.notifications.api import router as notifications_router
    from marketdesk.orders.api import router as orders_router
    from marketdesk.returns.api import router as returns_router
    from marketdesk.shipping.api import router as shipping_router
    from marketdesk.standards.api import router as standards_router

    target.add_router("/", orders_router)
    target.add_router("/", hints_router)
    target.add_router("/", helpcenter_router)
    target.add_router("/", ledger_router)
    target.add_router("/", notifications_router)
    target.add_router("/", cases_router)
    target.add_router("/", messaging_router)
    target.add_router("/", attachments_router)
    target.add_router("/", returns_router)
    target.add_router("/", shipping_router)
    target.add_router("/", standards_router)
    target.add_router("/", accounts_router)


_register_routers(api)

__all__ = ["MarketdeskAPI", "api"]
