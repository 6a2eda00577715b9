"""Checks of the free text a party or an operator writes into a case or a return."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketdesk.core.errors import DomainValidationError


def text_checked(value: str, field: str, *, required: bool = False, limit: int | None = None) -> str:
    """Return the text stripped, refusing it (naming ``field``) when empty but required, with a NUL, or too long."""
    value = (value or "").strip()
    if required and not value:
        raise DomainValidationError(_("This field is required."), field=field)
    if "\x00" in value:  # PostgreSQL cannot store it; no person types it
        raise DomainValidationError(_("The text contains a NUL character; remove it."), field=field)
    if limit is not None and len(value) > limit:
        raise DomainValidationError(_("Keep it under %(limit)s characters.") % {"limit": limit}, field=field)
    return value
