"""Forms of the conversation pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.parsing import int_or_none
from marketdesk.messaging.services import MAX_MESSAGE_LENGTH, MAX_TOKEN_LENGTH


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


class MessageForm(forms.Form):
    # No length limit here: the service says how long the text was. Empty is fine when files come along.
    body = forms.CharField(label=_("Your message"), required=False, widget=forms.Textarea, strip=False)
    client_token = forms.CharField(max_length=MAX_TOKEN_LENGTH, required=False, widget=forms.HiddenInput)
    attachment_ids = IdListField()


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    body = forms.CharField(label=_("Text"), max_length=MAX_MESSAGE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
