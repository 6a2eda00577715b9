"""The DomainError tree.

Services raise these with a user-facing, translated message; interfaces map
them to an HTTP status (API: problem+json) or a form error. Nothing else
decides what a failure looks like to a user.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A failure a user can understand and act on."""

    status: int = 400
    code: str = "bad_request"
    title: Any = _("The request could not be carried out.")
    default_message: Any = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        self.errors = errors or []
        self.extra = extra
        super().__init__(str(self.message))

    def problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem body for this error."""
        body: dict[str, Any] = {
            "type": f"https://marketdesk.dev/problems/{self.code}",
            "title": str(self.title),
            "status": self.status,
            "detail": str(self.message),
            "code": self.code,
        }
        errors = list(self.errors)
        if self.field and not any(e.get("field") == self.field for e in errors):
            errors.insert(0, {"field": self.field, "message": str(self.message)})
        if errors:
            body["errors"] = errors
        body.update(self.extra)
        return body


class DomainValidationError(DomainError):
    status = 422
    code = "invalid"
    title = _("Some of the data is not valid.")
    default_message = _("Some of the data is not valid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = _("Not found.")
    default_message = _("Nothing was found here.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = _("Not allowed.")
    default_message = _("You are not allowed to do this.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    title = _("Authentication required.")
    default_message = _("Sign in or send a valid API key.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = _("Conflict with the current state.")
    default_message = _("This conflicts with what is already recorded.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    title = _("This change of status is not allowed.")
    default_message = _("This change of status is not allowed.")


class ImmutableRecord(Conflict):
    code = "immutable"
    title = _("This record cannot be changed.")
    default_message = _("Timeline entries are permanent and cannot be changed or deleted.")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    title = _("Too many requests.")
    default_message = _("Too many attempts. Please wait and try again.")
