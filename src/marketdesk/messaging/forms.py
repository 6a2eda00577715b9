"""Forms of the conversation pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketdesk.attachments.forms import IdListField
from marketdesk.messaging.services import MAX_MESSAGE_LENGTH, MAX_TOKEN_LENGTH


class MessageForm(forms.Form):
    # No length limit here: the service says how long the text was. Empty is fine when files come along.
    body = forms.CharField(label=_("Your message"), required=False, widget=forms.Textarea, strip=False)
    client_token = forms.CharField(max_length=MAX_TOKEN_LENGTH, required=False, widget=forms.HiddenInput)
    attachment_ids = IdListField()


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=settings.LANGUAGES, widget=forms.Select(attrs={"class": "input"})
    )
    body = forms.CharField(label=_("Text"), max_length=MAX_MESSAGE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
