"""Form fields of attachments: the ids of files a page's script uploaded before the form is sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.parsing import int_or_none


class IdListField(forms.Field):
    """Several ids from hidden inputs of one name (which of them are the poster's is the service's call)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Upload the files again.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        parsed = [int_or_none(v) for v in values]
        if any(v is None for v in parsed):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return [v for v in parsed if v is not None]
