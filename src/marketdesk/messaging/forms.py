"""Forms of the conversation pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.messaging.services import MAX_MESSAGE_LENGTH, MAX_TOKEN_LENGTH


class MessageForm(forms.Form):
    # One more than the limit, so that the service says how long the text was instead of the form cutting it.
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_MESSAGE_LENGTH * 20, widget=forms.Textarea, strip=False
    )
    client_token = forms.CharField(max_length=MAX_TOKEN_LENGTH, required=False, widget=forms.HiddenInput)


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    body = forms.CharField(label=_("Text"), max_length=MAX_MESSAGE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
